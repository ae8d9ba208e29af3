import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeGoStringStruct, decodeUtf8Go, encodeGoJson, quoteChar, readFirstValue } from "./go-json";

const ORG = ["slug", "name", "owner_user_id"] as const;
const decode = (body: string | Buffer) =>
  decodeGoStringStruct(typeof body === "string" ? Buffer.from(body) : body, ORG, "main.createOrgRequest");

test("encodeGoJson: compact, insertion order, trailing newline", () => {
  assert.equal(encodeGoJson({ b: 1, a: [true, null, "x"] }), '{"b":1,"a":[true,null,"x"]}\n');
});

test("encodeGoJson: HTML-safe escapes and U+2028/2029 like Go's Encoder", () => {
  assert.equal(encodeGoJson("<a href='x'>&</a>"), "\"\\u003ca href='x'\\u003e\\u0026\\u003c/a\\u003e\"\n");
  assert.equal(encodeGoJson("a\u2028b\u2029c"), '"a\\u2028b\\u2029c"\n');
});

test("encodeGoJson: control characters use Go's short escapes and lower-case hex", () => {
  assert.equal(encodeGoJson('\b\f\n\r\t\u0001\u001f"\\'), '"\\b\\f\\n\\r\\t\\u0001\\u001f\\"\\\\"\n');
});

test("encodeGoJson: invalid UTF-8 (lone surrogates) becomes \\ufffd, a real U+FFFD stays raw", () => {
  assert.equal(encodeGoJson("a\udcffb\ud800"), '"a\\ufffdb\\ufffd"\n');
  assert.equal(encodeGoJson("\ufffd"), '"\ufffd"\n');
  // An escaped backslash followed by the text "udc80" is not a surrogate escape.
  assert.equal(encodeGoJson("\\udc80"), '"\\\\udc80"\n');
});

test("decodeUtf8Go: each invalid byte is one replacement, valid sequences pass", () => {
  const bytes = Buffer.from([0x61, 0xe2, 0x82, 0x41, 0xc3, 0xa9, 0xff, 0xed, 0xa0, 0x80]);
  assert.equal(decodeUtf8Go(bytes, "replace"), "a\ufffd\ufffdAé\ufffd\ufffd\ufffd\ufffd");
  assert.equal(decodeUtf8Go(Buffer.from([0x41, 0xff]), "keep"), "A\udcff");
  assert.equal(decodeUtf8Go(Buffer.from("😀", "utf8"), "replace"), "😀");
});

test("quoteChar: Go's rendering of the offending byte", () => {
  assert.equal(quoteChar(0x78), "'x'");
  assert.equal(quoteChar(0x27), "'\\''");
  assert.equal(quoteChar(0x22), "'\"'");
  assert.equal(quoteChar(0x5c), "'\\\\'");
  assert.equal(quoteChar(0x0a), "'\\n'");
  assert.equal(quoteChar(0x00), "'\\x00'");
  assert.equal(quoteChar(0x7f), "'\\x7f'");
  assert.equal(quoteChar(0x85), "'\\u0085'");
  assert.equal(quoteChar(0xef), "'ï'");
});

test("readFirstValue: EOF, unexpected EOF, first value only", () => {
  assert.deepEqual(readFirstValue(Buffer.from("")), { error: "EOF" });
  assert.deepEqual(readFirstValue(Buffer.from(" \n\t")), { error: "EOF" });
  assert.deepEqual(readFirstValue(Buffer.from('{"a":')), { error: "unexpected EOF" });
  assert.deepEqual(readFirstValue(Buffer.from("tru")), { error: "unexpected EOF" });
  assert.deepEqual(readFirstValue(Buffer.from('{"a":1} trailing')), { end: 7 });
  assert.deepEqual(readFirstValue(Buffer.from("123abc")), { end: 3 });
  assert.deepEqual(readFirstValue(Buffer.from("123")), { end: 3 });
  assert.deepEqual(readFirstValue(Buffer.from(' "s"x')), { end: 4 });
});

test("readFirstValue: Go's syntax error messages", () => {
  const cases: [string, string][] = [
    ["x", "invalid character 'x' looking for beginning of value"],
    ["{x", "invalid character 'x' looking for beginning of object key string"],
    ['{"a" 1', "invalid character '1' after object key"],
    ['{"a":1 2', "invalid character '2' after object key:value pair"],
    ["[1 2", "invalid character '2' after array element"],
    ['"a\nb"', "invalid character '\\n' in string literal"],
    ['"\\x"', "invalid character 'x' in string escape code"],
    ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
    ["-a", "invalid character 'a' in numeric literal"],
    ["1.x", "invalid character 'x' after decimal point in numeric literal"],
    ["1ex", "invalid character 'x' in exponent of numeric literal"],
    ["trux", "invalid character 'x' in literal true (expecting 'e')"],
    ["fx", "invalid character 'x' in literal false (expecting 'a')"],
    ["nul!", "invalid character '!' in literal null (expecting 'l')"],
    ["{'a':1}", "invalid character '\\'' looking for beginning of object key string"],
    ["\ufeff{}", "invalid character 'ï' looking for beginning of value"],
    ["[1,]", "invalid character ']' looking for beginning of value"],
  ];
  for (const [input, message] of cases) {
    assert.deepEqual(readFirstValue(Buffer.from(input)), { error: message }, input);
  }
});

test("readFirstValue: nesting beyond Go's max depth is an error", () => {
  assert.deepEqual(readFirstValue(Buffer.from("[".repeat(10001))), {
    error: "invalid character '[' exceeded max depth",
  });
});

test("decodeGoStringStruct: fields, missing ones stay empty", () => {
  assert.deepEqual(decode('{"slug":"a","name":"b","owner_user_id":"c"}'), {
    fields: { slug: "a", name: "b", owner_user_id: "c" },
    error: null,
  });
  assert.deepEqual(decode('{"slug":"a","extra":{"deep":[1,{"x":"}"}]}}'), {
    fields: { slug: "a", name: "", owner_user_id: "" },
    error: null,
  });
});

test("decodeGoStringStruct: case-insensitive keys (incl. Go's Unicode folds), exact name preferred, last wins", () => {
  assert.equal(decode('{"SLUG":"a"}').fields.slug, "a");
  assert.equal(decode('{"\u017flug":"long-s"}').fields.slug, "long-s");
  assert.equal(decode('{"Slug":"x","slug":"y"}').fields.slug, "y");
  assert.equal(decode('{"slug":"x","Slug":"z"}').fields.slug, "z");
});

test("decodeGoStringStruct: null leaves a field alone; JSON null body sets nothing", () => {
  assert.deepEqual(decode('{"slug":"a","slug":null}'), {
    fields: { slug: "a", name: "", owner_user_id: "" },
    error: null,
  });
  assert.deepEqual(decode("null"), { fields: { slug: "", name: "", owner_user_id: "" }, error: null });
});

test("decodeGoStringStruct: type errors name the struct field; decoding continues", () => {
  assert.deepEqual(decode('{"slug":1,"name":"n"}'), {
    fields: { slug: "", name: "n", owner_user_id: "" },
    error: "json: cannot unmarshal number into Go struct field createOrgRequest.slug of type string",
  });
  assert.equal(
    decode('{"NAME":true,"slug":[1]}').error,
    "json: cannot unmarshal bool into Go struct field createOrgRequest.name of type string",
  );
  assert.equal(
    decode('{"owner_user_id":{}}').error,
    "json: cannot unmarshal object into Go struct field createOrgRequest.owner_user_id of type string",
  );
  assert.equal(decode('{"other":5}').error, null);
});

test("decodeGoStringStruct: a non-object top-level value names the Go type", () => {
  assert.equal(
    decode("[]").error,
    "json: cannot unmarshal array into Go value of type main.createOrgRequest",
  );
  assert.equal(
    decode('"s"').error,
    "json: cannot unmarshal string into Go value of type main.createOrgRequest",
  );
  assert.equal(
    decode("12").error,
    "json: cannot unmarshal number into Go value of type main.createOrgRequest",
  );
  assert.equal(
    decode("true").error,
    "json: cannot unmarshal bool into Go value of type main.createOrgRequest",
  );
});

test("decodeGoStringStruct: syntax errors set nothing", () => {
  assert.deepEqual(decode('{"slug":"a",'), {
    fields: { slug: "", name: "", owner_user_id: "" },
    error: "unexpected EOF",
  });
});

test("decodeGoStringStruct: string escapes, surrogate pairs, invalid UTF-8 as Go unquotes them", () => {
  assert.equal(decode('{"slug":"a\\"b\\\\c\\/d\\n\\u00e9"}').fields.slug, 'a"b\\c/d\né');
  assert.equal(decode('{"slug":"\\ud83d\\ude00"}').fields.slug, "😀");
  assert.equal(decode('{"slug":"\\ud83dx"}').fields.slug, "\ufffdx");
  assert.equal(decode('{"slug":"\\udc00\\ud83d\\ude00"}').fields.slug, "\ufffd😀");
  const raw = Buffer.concat([Buffer.from('{"slug":"a'), Buffer.from([0xff, 0xe2, 0x82]), Buffer.from('b"}')]);
  assert.equal(decode(raw).fields.slug, "a\ufffd\ufffd\ufffdb");
});
