/**
 * One step of a backend's schema, numbered from 1. A published migration is
 * never edited: a change is a new step, so every database, however old,
 * reaches the same schema by applying the steps it lacks, in order.
 */
export interface Migration {
  readonly version: number;
  /** Recorded beside the version, for a person reading `schema_migrations`. */
  readonly name: string;
  readonly sql: string;
}
