import { InvalidValueError } from '../errors';

/**
 * How Provisio compares userNames "as people see them" (issue 13 item 6), after RFC 8265 §3.3
 * (PRECIS UsernameCaseMapped): width mapping, case mapping, NFC. The documented equivalent used
 * here is
 *
 *     key = NFC(toLowerCase(NFKC(userName)))
 *
 * NFKC performs the width mapping of RFC 8265 §3.3.2 rule 1 (fullwidth and halfwidth forms to
 * their decompositions) and also folds the other compatibility characters (ligatures such as "ﬁ",
 * superscripts, circled letters) that the PRECIS IdentifierClass would refuse outright: an IdP that
 * sends them is accepted, and the result compares equal to what it looks like. toLowerCase() is the
 * case mapping of rule 3 (Unicode default, locale-independent), and NFC rule 4. So "Café" (NFC),
 * "cafe\u0301" (NFD), "ＣＡＦＥ" (fullwidth) and "ﬁnn" / "finn" compare equal.
 *
 * The key decides uniqueness within a tenant and `userName eq` lookups; the value is stored and
 * returned exactly as sent.
 */
export function userNameKey(userName: string): string {
  return userName.normalize('NFKC').toLowerCase().normalize('NFC');
}

/**
 * Characters a userName may not hold (RFC 8265 §3.3.1 and §3.3.3 refuse them in the
 * IdentifierClass; here they are what would make two identical-looking names differ):
 * controls (Cc), format characters (Cf: zero-width space and joiners, bidi controls, soft hyphen),
 * other default-ignorable code points (variation selectors, Hangul fillers, …), and line or
 * paragraph separators.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u;

/**
 * Refuses a userName that could be mistaken for another: leading or trailing white space (any
 * Unicode space, RFC 8265 §3.3.3 rule 2 style) or an invisible character; 400 invalidValue naming
 * the attribute and the code point.
 */
export function assertUserName(userName: string): void {
  if (/^\s|\s$/u.test(userName)) throw new InvalidValueError('"userName" must not start or end with white space');
  const m = INVISIBLE.exec(userName);
  if (m) {
    const cp = m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw new InvalidValueError(`"userName" contains an invisible character (U+${cp}); it would look like another userName`);
  }
}
