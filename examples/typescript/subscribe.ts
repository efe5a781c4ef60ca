/**
 * Follow commitment changes live: runs the users' `CommitmentChanged` subscription
 * (verbatim from tests/operations.graphql) over a WebSocket with the
 * graphql-transport-ws protocol (the `graphql-ws` client) and prints every event.
 *
 *   npm install
 *   export SAMVERKAN_TOKEN="$(samverkan token --sub live-feed \
 *       --org socialforvaltningen --role VIEWER --ttl 365d)"
 *   npx tsx subscribe.ts                # every district
 *   npx tsx subscribe.ts <District ID>  # one district (`districts { nodes { id name } }`)
 *
 * Environment:
 *   SAMVERKAN_WS_URL  the WebSocket endpoint (default ws://127.0.0.1:8000/graphql/ws)
 *   SAMVERKAN_TOKEN   the bearer token (required), sent once in the `connection_init`
 *                     message as `connectionParams: { Authorization: "Bearer <token>" }`
 *                     (browsers cannot set headers on a WebSocket)
 *
 * Stop it with Ctrl-C. When the connection drops, the client reconnects (a few tries,
 * with backoff) and subscribes again; events sent while it was away are not replayed.
 */
import { CloseCode, createClient, type FormattedExecutionResult } from "graphql-ws";
import WebSocket from "ws";

const DEFAULT_WS_URL = "ws://127.0.0.1:8000/graphql/ws";

/** The users' operation, as written in tests/operations.graphql. */
const COMMITMENT_CHANGED = /* GraphQL */ `
subscription CommitmentChanged($district: ID) {
  commitmentChanged(filter: { district: $district }) {
    commitment { id text version organization { name } }
    actor
  }
}
`;

/** The shape of one `CommitmentChanged` event's `data`. */
interface CommitmentChangedData {
  commitmentChanged: {
    commitment: {
      id: string;
      text: string;
      version: number;
      organization: { name: string };
    };
    /** The `sub` of the token that made the change. */
    actor: string;
  };
}

/** What a WebSocket close looks like to graphql-ws (the `ws` package's CloseEvent). */
interface CloseEventLike {
  code: number;
  reason: string;
}

function isCloseEvent(value: unknown): value is CloseEventLike {
  return typeof value === "object" && value !== null && "code" in value && "reason" in value;
}

/** Turn whatever the subscription failed with into one line a person can act on. */
function describeFailure(error: unknown, url: string): string {
  if (isCloseEvent(error)) {
    const refused =
      error.code === CloseCode.Forbidden ||
      error.code === CloseCode.Unauthorized ||
      /token|unauthori[sz]ed|unauthenticated|forbidden/i.test(error.reason);
    const reason = error.reason ? `: ${error.reason}` : "";
    const closed = `the server closed the connection (${error.code}${reason})`;
    if (refused) {
      return `${closed}: SAMVERKAN_TOKEN is missing, expired or invalid for this server`;
    }
    if (error.code === 1006) {
      return `cannot reach ${url} (is the server running? is SAMVERKAN_WS_URL right?)`;
    }
    return closed;
  }
  if (Array.isArray(error)) {
    // The server rejected the operation itself: a list of GraphQL errors.
    return `the server refused the subscription: ${formatErrors(error)}`;
  }
  if (typeof error === "object" && error !== null && "message" in error) {
    // An Error, or the `ws` package's ErrorEvent (e.g. connect ECONNREFUSED).
    return `cannot use ${url}: ${String(error.message)}`;
  }
  return String(error);
}

function formatErrors(errors: readonly unknown[]): string {
  return errors
    .map((e) => {
      const { message, extensions } = (e ?? {}) as {
        message?: string;
        extensions?: { code?: string };
      };
      return extensions?.code ? `${message} (${extensions.code})` : String(message ?? e);
    })
    .join("; ");
}

function printEvent(result: FormattedExecutionResult<CommitmentChangedData, unknown>): void {
  if (result.errors?.length) {
    console.error(`${new Date().toISOString()} error: ${formatErrors(result.errors)}`);
  }
  const event = result.data?.commitmentChanged;
  if (event) {
    const { commitment, actor } = event;
    console.log(
      `${new Date().toISOString()} ${actor} changed ${commitment.organization.name}'s ` +
        `commitment ${commitment.id} (version ${commitment.version}): ${commitment.text}`,
    );
  }
}

async function main(): Promise<number> {
  const url = process.env.SAMVERKAN_WS_URL || DEFAULT_WS_URL;
  const token = process.env.SAMVERKAN_TOKEN?.trim();
  const district = process.argv[2];
  if (district === "-h" || district === "--help") {
    console.log("usage: npx tsx subscribe.ts [DISTRICT_ID]");
    console.log(`env: SAMVERKAN_TOKEN (required), SAMVERKAN_WS_URL (default ${DEFAULT_WS_URL})`);
    return 0;
  }
  if (!token) {
    console.error(
      "error: SAMVERKAN_TOKEN is not set; mint one with: " +
        "samverkan token --sub live-feed --org socialforvaltningen --role VIEWER --ttl 365d",
    );
    return 2;
  }

  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${token}` },
    // Ping every 20 s so that idle proxies keep the connection open.
    keepAlive: 20_000,
    // Retry dropped and refused connections (a server restarting), but not a refused
    // token: retrying will not fix it. (graphql-ws itself never retries 4401, 4400,
    // 4500 and most 1xxx codes, e.g. 1002.)
    retryAttempts: 5,
    shouldRetry: (errOrCloseEvent) =>
      !(isCloseEvent(errOrCloseEvent) && errOrCloseEvent.code === CloseCode.Forbidden),
    on: {
      connecting: (isRetry) => {
        if (isRetry) console.error(`reconnecting to ${url}`);
      },
      connected: () =>
        console.error(
          `connected to ${url}; following ${district ? `district ${district}` : "every district"}`,
        ),
    },
  });

  const events = client.iterate<CommitmentChangedData>({
    query: COMMITMENT_CHANGED,
    operationName: "CommitmentChanged",
    variables: { district: district ?? null },
  });
  // Ctrl-C: complete the subscription (the loop below then ends) and close the socket.
  process.once("SIGINT", () => void events.return?.());

  try {
    for await (const result of events) {
      printEvent(result);
    }
    return 0;
  } catch (error) {
    console.error(`error: ${describeFailure(error, url)}`);
    return 1;
  } finally {
    await client.dispose();
  }
}

process.exitCode = await main();
