import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { natsServerConfig, SHIPPED_SERVER_SETTINGS } from '@connector/messaging';

/**
 * `npm run nats-config`: writes docker/nats/nats-server.conf for the namespace of compose
 * (NATS_NAMESPACE, default `connector`). Run it after a change of who sends what in libs/contracts.
 */
const namespace = process.env.NATS_NAMESPACE ?? 'connector';
const target = resolve(__dirname, '../../../../docker/nats/nats-server.conf');
writeFileSync(target, natsServerConfig({ namespace, server: SHIPPED_SERVER_SETTINGS }));
process.stdout.write(`wrote ${target} for namespace "${namespace}"\n`);
