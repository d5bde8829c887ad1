// @shop/consistency: the SPEC §10 consistency checker and the dead-letter tooling it shares with `npm run dlq`.
export { checkConsistency } from './checker';
export { RULES, type CheckOptions, type Ids, type Report, type RuleName, type Violation } from './report';
export { formatReport } from './format';
export { createKafka, dlqTopics, parseDeadLetterId, readDeadLetters, DLQ_HEADERS, type DeadLetter } from './dead-letters';
export { CONSUMER_INBOXES, findResolved, type InboxSources } from './dead-letter-resolution';
export { replayDeadLetter, REPLAYED_FROM_HEADER, type ReplayResult } from './dead-letter-replay';
export { loadEnv, type ToolEnv } from './env';
