import { createHash, createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ConfigProblem } from '@shop/shared/nest';

/**
 * SHA-256 of the public half (SPKI DER) of each committed sandbox key pair in
 * tools/alipay-sandbox/keys. Their private halves are public, so a deployment that loads one of
 * them accepts forged notifications (Alipay's pair) or signs as anyone (the merchant's pair).
 * Fingerprints rather than paths: a copy of the file elsewhere is still the sandbox key.
 * (payment-env.spec.ts checks them against the files.)
 */
export const SANDBOX_KEY_FINGERPRINTS: Readonly<Record<string, string>> = {
  '790e9d52eb98aac57547dded3440669a0db3a305cb5e6be9b8bcbb320ec0e417': "the sandbox's Alipay key pair",
  c5fe0c628b8ae336a827f1aeba4bb663cbe64472c5f9e5464f14c18d2ed9c647: "the sandbox's merchant key pair",
};

export type KeyKind = 'private' | 'public';

/** alipay-sdk also takes the bare base64 body Alipay's console shows; so do we. */
function asPem(text: string, kind: KeyKind): string {
  if (text.includes('-----BEGIN')) {
    return text;
  }
  const label = kind === 'private' ? 'RSA PRIVATE KEY' : 'PUBLIC KEY';
  return `-----BEGIN ${label}-----\n${text.trim()}\n-----END ${label}-----\n`;
}

/** The fingerprint of a key's public half, the same for a private key and its public key. */
export function keyFingerprint(text: string, kind: KeyKind): string {
  const pem = asPem(text, kind);
  const key: KeyObject = kind === 'private' ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem);
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

/**
 * What is wrong with the key file a variable names: unreadable, not an RSA key of that kind, or
 * (outside development mode) one of the sandbox's committed keys. One line per problem.
 */
export function keyFileProblems(variable: string, file: string, kind: KeyKind, allowSandboxKeys: boolean): ConfigProblem[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return [{ variable, problem: `cannot read the key file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})` }];
  }
  let fingerprint: string;
  try {
    fingerprint = keyFingerprint(text, kind);
  } catch {
    return [{ variable, problem: `${file} is not an RSA ${kind} key (PEM)` }];
  }
  const sandbox = SANDBOX_KEY_FINGERPRINTS[fingerprint];
  if (sandbox && !allowSandboxKeys) {
    return [{ variable, problem: `${file} is ${sandbox}, whose private half is committed (development only)` }];
  }
  return [];
}
