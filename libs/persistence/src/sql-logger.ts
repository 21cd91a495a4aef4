import { Logger as NestLogger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's own logger prints a failed query with its parameters, and parameters hold buyer
 * names, addresses and sealed secrets. This one says which statement failed and why, and
 * never what values it carried.
 */
export class SqlErrorLogger implements TypeOrmLogger {
  private readonly logger = new NestLogger('SQL');

  logQueryError(error: string | Error, query: string): void {
    const reason = typeof error === 'string' ? error : error.message;
    this.logger.error(`query failed: ${reason} (in: ${query.replace(/\s+/g, ' ').slice(0, 160)})`);
  }
  logQuery(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
  }
}
