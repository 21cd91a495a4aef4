import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown, Type } from '@nestjs/common';
import { runAlone } from '@connector/persistence';
import { PeriodicWorker } from '@connector/workers';
import { DataSource } from 'typeorm';
import type { ServiceSettings } from './config';
import { SETTINGS } from './service-client.module';

/** One kind of personal data a service keeps, and how it is forgotten once past its time. */
export interface RetentionTask {
  /** For the log line, e.g. "gift messages of sales orders". */
  readonly what: string;
  /** Forgets what belongs to orders closed before `cutoff`; returns how many rows it changed. */
  forget(cutoff: Date): Promise<number>;
}

const RETENTION_TASKS = Symbol('retention tasks');

/**
 * Runs every retention task of the service at start-up and then every
 * RETENTION_INTERVAL_SECONDS, with the cutoff PERSONAL_DATA_RETENTION_DAYS ago. One replica at a
 * time runs it (runAlone); the others skip their pass while it does.
 */
@Injectable()
export class PersonalDataRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('PersonalDataRetention');
  private worker?: PeriodicWorker;

  constructor(
    @Inject(RETENTION_TASKS) private readonly tasks: RetentionTask[],
    @Inject(SETTINGS) private readonly settings: ServiceSettings,
    private readonly dataSource: DataSource,
  ) {}

  /** The moment before which closed orders' personal data goes. */
  cutoff(now = new Date()): Date {
    return new Date(now.getTime() - this.settings.PERSONAL_DATA_RETENTION_DAYS * 86400_000);
  }

  async run(now = new Date()): Promise<Record<string, number>> {
    const cutoff = this.cutoff(now);
    const done: Record<string, number> = {};
    for (const task of this.tasks) done[task.what] = await task.forget(cutoff);
    return done;
  }

  onApplicationBootstrap(): void {
    this.worker = new PeriodicWorker({
      name: 'retention run',
      pass: async () => {
        const outcome = await runAlone(this.dataSource, 'personal-data retention', () => this.run());
        if (!outcome.ran) return;
        const done = outcome.value;
        const changed = Object.entries(done).filter(([, n]) => n > 0);
        if (changed.length) this.logger.log(`forgot personal data: ${changed.map(([what, n]) => `${n} ${what}`).join(', ')}`);
      },
      everyMs: this.settings.RETENTION_INTERVAL_SECONDS * 1000,
      keepsProcessAlive: false,
      onError: (message) => this.logger.warn(`${message} (tried again in ${this.settings.RETENTION_INTERVAL_SECONDS} s)`),
    });
    this.worker.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.stop();
  }
}

/** The service's retention tasks (providers of its own), run by one PersonalDataRetention. */
@Module({})
export class RetentionModule {
  static forTasks(tasks: Type<RetentionTask>[]): DynamicModule {
    return {
      module: RetentionModule,
      providers: [
        ...tasks,
        { provide: RETENTION_TASKS, inject: tasks, useFactory: (...instances: RetentionTask[]) => instances },
        PersonalDataRetention,
      ],
      exports: [PersonalDataRetention],
    };
  }
}
