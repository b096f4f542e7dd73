// Reads a WARC file with the npm package warcio and prints one JSON line
// per record: its offset and length as warcio's parser found them, its
// type, ID and target URI, and whether its block and payload match their
// WARC-Block-Digest and WARC-Payload-Digest (recomputed here with node's
// crypto, not by adscan).
//
// Usage: node warcio_read.cjs NPM_PREFIX FILE.warc.gz
"use strict";
const path = require("node:path");
const fs = require("node:fs");
const crypto = require("node:crypto");
const { WARCParser } = require(path.join(process.argv[2], "node_modules", "warcio"));

const sha256 = (b) => "sha256:" + crypto.createHash("sha256").update(b).digest("hex");

(async () => {
  const parser = new WARCParser(fs.createReadStream(process.argv[3]), { parseHttp: false });
  for await (const record of parser) {
    const block = Buffer.from(await record.readFully(false));
    let payload = block;
    if ((record.warcHeader("Content-Type") || "").startsWith("application/http")) {
      payload = block.subarray(block.indexOf("\r\n\r\n") + 4);
    }
    const digest = record.warcPayloadDigest;
    console.log(JSON.stringify({
      offset: parser.offset,
      length: parser.recordLength,
      type: record.warcType,
      id: record.warcHeader("WARC-Record-ID"),
      uri: record.warcTargetURI || "",
      blockDigestOK: sha256(block) === record.warcBlockDigest,
      payloadDigestOK: digest ? sha256(payload) === digest : null,
    }));
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
