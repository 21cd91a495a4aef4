import { Controller, Get, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { API_V1 } from '../common/api-version';
import { ApiProblems } from '../openapi/api-docs';
import { CallerView } from './api-key.messages';
import { Caller } from './api-keys.service';
import { AccountFrom, RequiresScope } from './scopes';

/** Who the calling key is: for a client (the console) to offer only what the key may do. */
@ApiTags('access')
// Neither 400 (no input) nor 403 (any key may ask): only a wrong key or too many requests.
@ApiBearerAuth()
@ApiProblems(401, 429)
@Controller(`${API_V1}/access`)
export class CallerController {
  @Get('me')
  @RequiresScope('any')
  @AccountFrom('none')
  @ApiOperation({
    operationId: 'getCaller',
    summary: 'The calling API key: its name, prefix, scopes and the accounts it is limited to (never the key)',
    description: 'Any valid key may ask, whatever its scopes. See the README (The API) for what each scope allows.',
  })
  me(@Req() request: { caller: Caller }): CallerView {
    const { keyId, name, keyPrefix, scopes, accountIds } = request.caller;
    return { id: keyId, name, keyPrefix: keyPrefix ?? null, scopes, accountIds };
  }
}
