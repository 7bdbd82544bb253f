// What can go wrong with a GitHub login and the Copilot token it buys, each with a message that says what
// to do next.

import { HeadroomError } from '../errors.js';

/** A GitHub login could not be made, read or used (exit 1). */
export class CopilotAuthError extends HeadroomError {}

/** The device code ran out before the user entered it. */
export class DeviceCodeExpired extends CopilotAuthError {}

/** The user declined the authorization on GitHub. */
export class AuthorizationDenied extends CopilotAuthError {}

/** No login is stored: the proxy cannot sign in to Copilot. */
export class NotLoggedIn extends CopilotAuthError {}

/** GitHub refused to issue a Copilot token for the stored login. */
export class CopilotTokenRefused extends CopilotAuthError {
  constructor(
    message: string,
    /** The HTTP status GitHub answered with. */
    readonly status: number,
  ) {
    super(message);
  }
}
