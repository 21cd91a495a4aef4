import { v7 as uuidV7 } from 'uuid';

/**
 * A new row's id: a UUIDv7, whose leading bits are the time it was made. New rows then land
 * at the right edge of their primary-key index instead of on a random page of it, which
 * keeps inserts cheap and the index compact as tables grow (random UUIDv4 keys touch a
 * different page, and log it, on nearly every insert).
 */
export function newRowId(): string {
  return uuidV7();
}
