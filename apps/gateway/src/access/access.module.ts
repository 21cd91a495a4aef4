import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessController } from './access.controller';
import { CallerController } from './caller.controller';
import { ApiKey } from './api-key.entity';
import { ApiKeysService } from './api-keys.service';
import { AuditEntry } from './audit-entry.entity';
import { AuditInterceptor } from './audit.interceptor';
import { AuditService } from './audit.service';

/** Who may call the API (named, scoped keys) and what they changed (audit log). */
@Module({
  imports: [TypeOrmModule.forFeature([ApiKey, AuditEntry])],
  controllers: [AccessController, CallerController],
  providers: [ApiKeysService, AuditService, { provide: APP_INTERCEPTOR, useClass: AuditInterceptor }],
  exports: [ApiKeysService, AuditService],
})
export class AccessModule {}
