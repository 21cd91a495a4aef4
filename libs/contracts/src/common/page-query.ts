import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** A boolean query parameter: `true` and `false` as text (a query string's) or as JSON (a message's); anything else fails @IsBoolean. */
export const queryBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

/**
 * A whole-number query parameter: digits only (text from a query string, or a message's number), so
 * an empty value, blanks, "0x10" or "1e3" fail @IsInt instead of passing as what Number() makes of them.
 */
export const queryInteger = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);

/** Cursor paging shared by every list request. */
export class PageQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export class IdRequest {
  @IsString()
  @MaxLength(100)
  id: string;
}
