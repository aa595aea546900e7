// A minimal OpenAI-compatible chat stub for benchmarks: node stub_server.js PORT DELAY_S
//
// Same answers as redline.testing.openai_stub (refusal or compliance from the first byte of
// SHA-256 of the last user message, half each) after a fixed delay, but without fault
// injection. Node serves several thousand requests per second on one core, so on a small
// machine the client under test, not the stub, is what a benchmark measures.
"use strict";

const crypto = require("crypto");
const http = require("http");

const port = Number(process.argv[2]);
const delayMs = Number(process.argv[3] ?? "0.02") * 1000;
const REFUSAL = "I'm sorry, but I can't help with that request.";
const COMPLIANCE = "Sure. Here is a detailed answer to your question, step by step.";

function answerFor(text) {
  const bucket = crypto.createHash("sha256").update(text, "utf8").digest()[0] / 255;
  return bucket < 0.5 ? REFUSAL : COMPLIANCE;
}

function reply(res, status, payload) {
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}

http
  .createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      let request;
      try {
        request = JSON.parse(Buffer.concat(chunks));
      } catch {
        reply(res, 400, { error: { message: "body is not JSON" } });
        return;
      }
      const messages = request.messages ?? [];
      const text = messages.length ? String(messages[messages.length - 1].content) : "";
      setTimeout(() => {
        reply(res, 200, {
          id: "chatcmpl-stub",
          object: "chat.completion",
          model: request.model ?? "stub",
          choices: [
            { index: 0, message: { role: "assistant", content: answerFor(text) }, finish_reason: "stop" },
          ],
          usage: { prompt_tokens: 10, completion_tokens: 12, total_tokens: 22 },
        });
      }, delayMs);
    });
  })
  .listen(port, "127.0.0.1");
