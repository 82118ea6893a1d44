/** A page of rows plus the number of rows matching the filter (for `X-Total-Count` style paging). */
export interface Page<T> {
  items: T[];
  total: number;
}

/** Offset paging; callers validate the bounds (the API does it with zod). */
export interface PageRequest {
  limit: number;
  offset: number;
}
