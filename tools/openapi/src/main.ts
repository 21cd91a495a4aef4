import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { METADATA_FILE, pluginMetadataSource } from './plugin-metadata';

/** First step of `npm run openapi`: the swagger plugin's metadata of the gateway's classes. */
const root = resolve(__dirname, '../../../..');
writeFileSync(resolve(root, METADATA_FILE), pluginMetadataSource({ root }));
process.stdout.write(`wrote ${METADATA_FILE}\n`);
