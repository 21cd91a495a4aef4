import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'gateway:public';

/** A route open without an API key (only /health). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
