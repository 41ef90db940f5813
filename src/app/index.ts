/**
 * The application layer: the entry points every face calls (the CLI, the
 * service, the workers, the benchmarks). Nothing outside src/cli imports
 * src/cli; the CLI, like the others, only parses, calls these and prints.
 */
export { doctorSchool } from './doctor-school.ts';
export {
  aurigaReaderFor,
  aurigaRequest,
  edusignClientFor,
  edusignPortFor,
  type OnRequest,
  type RequestEvent,
  storeFor,
} from './edges.ts';
export { explainRecord } from './explain-record.ts';
export { notifierFor } from './notifier-for.ts';
export { readAuriga } from './read-auriga.ts';
export { planSchool, runSchool, type SchoolRunOptions } from './run-school.ts';
