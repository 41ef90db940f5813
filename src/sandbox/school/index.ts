export { emailSlug, generateSchool, SCHOOL_SIZES } from './generate.ts';
export { formatPeople, formatPerson } from './people-cell.ts';
export {
  type LocalDateTime,
  MALFORMED_KINDS,
  type MalformedKind,
  type MultiLabel,
  type School,
  type SchoolGroup,
  type SchoolIntervention,
  type SchoolOptions,
  type SchoolPerson,
  type SchoolSize,
} from './types.ts';
