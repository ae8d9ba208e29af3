/** Syntax rules of HTTP shared by the admin API's validators. */

/** RFC 9110 token: what a method or a header name may consist of. */
export const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Characters Node accepts in a header value (no CR, LF, NUL or other controls except tab). */
export const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
