export * from './partner.messages';
