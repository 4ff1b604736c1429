/**
 * What we tell every backend its client can do: all that serve can route. Clients connect later
 * than backends and differ from one another, so the router sends each request only to a session
 * whose client declared what that request needs (URL elicitation, sampling with tools, …) and
 * answers the backend with an error when none did. Announcing less would hide features (a server
 * may offer some tools only to clients with `elicitation.url`).
 */
export const ANNOUNCED_CLIENT_CAPABILITIES = {
  sampling: { tools: {}, context: {} },
  elicitation: { form: {}, url: {} },
  roots: { listChanged: true },
};
