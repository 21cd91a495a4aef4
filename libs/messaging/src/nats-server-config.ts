import { CONNECTOR_PROCESSES, ConnectorProcess, natsAccess, natsInboxPrefix } from '@connector/contracts';
import { consumerPlan } from './consumer-plan';
import { PACK_READER_SUFFIX } from './event-pack';
import { streamNameFor } from './event-stream';

/** The environment variable that holds a process's NATS password in the shipped configuration. */
export function passwordVariable(process: ConnectorProcess): string {
  return `NATS_PASSWORD_${process.toUpperCase().replace(/-/g, '_')}`;
}

export interface NatsConfigOptions {
  namespace: string;
  /** Each process's password, or (default) a `$NATS_PASSWORD_<PROCESS>` reference the server reads from its environment. */
  passwords?: Partial<Record<ConnectorProcess, string>>;
  /** Extra server settings (port, store_dir, ...), written before the accounts. */
  server?: string[];
}

/** What one process may publish and subscribe to, derived from the contracts (natsAccess). */
export function permissionsOf(process: ConnectorProcess, namespace: string): { publish: string[]; subscribe: string[] } {
  const access = natsAccess(process);
  const stream = streamNameFor(namespace);
  const publish = [...access.calls.map((s) => `${namespace}.${s}`), ...access.publishes.map((s) => `${namespace}.events.${s}`)];
  const subscribe = [...access.serves.map((s) => `${namespace}.${s}`), `${natsInboxPrefix(process)}.>`];
  if (access.consumes.length || access.publishes.length) {
    // JetStream's API for this namespace's stream only: see it and its consumers, create it if
    // missing, and run the service's own durable consumers, each on its own filter, named as the
    // messaging library names them. Never change, delete or purge the stream (an operator changes
    // its age: nats stream edit), or touch another service's consumer. What a consumer delivers
    // to cannot be limited here: request handlers answer only their callers' inboxes instead.
    publish.push('$JS.API.INFO', `$JS.API.STREAM.INFO.${stream}`, `$JS.API.STREAM.CREATE.${stream}`, `$JS.API.CONSUMER.LIST.${stream}`, `$JS.API.CONSUMER.NAMES.${stream}`);
    for (const { name, filter } of consumerPlan(process, `${namespace}.events.`, access.consumes)) {
      publish.push(
        `$JS.API.CONSUMER.CREATE.${stream}.${name}.${filter}`,
        `$JS.API.CONSUMER.INFO.${stream}.${name}`,
        `$JS.API.CONSUMER.DELETE.${stream}.${name}`,
        // The same consumer as versions before event packs named it, replaced on upgrade.
        `$JS.API.CONSUMER.DELETE.${stream}.${name.slice(0, -PACK_READER_SUFFIX.length)}`,
        `$JS.API.CONSUMER.MSG.NEXT.${stream}.${name}`,
        `$JS.ACK.${stream}.${name}.>`,
      );
    }
    // The one consumer per service of versions before event families, replaced on upgrade.
    if (access.consumes.length) publish.push(`$JS.API.CONSUMER.DELETE.${stream}.${process}`);
  }
  return { publish, subscribe };
}

/** What the compose file's server runs with besides the users. */
export const SHIPPED_SERVER_SETTINGS = ['port: 4222', 'http_port: 8222', 'jetstream: { store_dir: "/data" }'];

const quote = (subject: string) => JSON.stringify(subject);

/** A nats-server configuration: one user per process, each with only the subjects it owns or uses. */
export function natsServerConfig(options: NatsConfigOptions): string {
  const users = CONNECTOR_PROCESSES.map((process) => {
    const { publish, subscribe } = permissionsOf(process, options.namespace);
    const password = options.passwords?.[process] !== undefined ? quote(options.passwords[process]!) : `$${passwordVariable(process)}`;
    return [
      `    {`,
      `      user: ${quote(process)}`,
      `      password: ${password}`,
      `      permissions: {`,
      `        publish: { allow: [${publish.map(quote).join(', ')}] }`,
      `        subscribe: { allow: [${subscribe.map(quote).join(', ')}] }`,
      // Answering a request publishes to its reply subject, once.
      `        allow_responses: true`,
      `      }`,
      `    }`,
    ].join('\n');
  });
  return [
    `# Generated from libs/contracts (natsAccess) by tools/nats-config: do not edit by hand.`,
    `# Namespace "${options.namespace}": one user per process, each allowed only the subjects it`,
    `# answers, asks, publishes or consumes. Passwords come from the server's environment.`,
    ...(options.server ?? []),
    `authorization: {`,
    `  users: [`,
    users.join('\n'),
    `  ]`,
    `}`,
    ``,
  ].join('\n');
}
