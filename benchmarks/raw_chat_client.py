"""The ceiling for `bench_peer.py`: a minimal raw-socket asyncio Chat Completions client.

C keep-alive connections (asyncio streams), each sending pre-built HTTP/1.1 POSTs one after
another and reading `Content-Length` bytes of answer, which it parses as JSON. No retries, no
timeouts, no scoring, no files: what any client must at least spend per request.

    python3 benchmarks/raw_chat_client.py BASE_URL PROMPTS_FILE --concurrency 16 [--limit 640]

PROMPTS_FILE holds one JSON string (the user message) per line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from urllib.parse import urlsplit


def build_requests(base_url: str, prompts: list[str], max_tokens: int) -> list[bytes]:
    url = urlsplit(base_url)
    out = []
    for prompt in prompts:
        body = json.dumps({"model": "bench", "messages": [{"role": "user", "content": prompt}],
                           "max_tokens": max_tokens, "temperature": 0}).encode()
        head = (f"POST {url.path}/chat/completions HTTP/1.1\r\nHost: {url.netloc}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
        out.append(head.encode("ascii") + body)
    return out


async def worker(host: str, port: int, queue: list[bytes], answers: list[str]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    while queue:
        writer.write(queue.pop())
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        answer = json.loads(await reader.readexactly(length))
        answers.append(answer["choices"][0]["message"]["content"])
    writer.close()


async def main_async(base_url: str, requests: list[bytes], concurrency: int) -> int:
    url = urlsplit(base_url)
    queue = requests[::-1]  # pop() from the end sends them in order
    answers: list[str] = []
    await asyncio.gather(*(worker(url.hostname or "127.0.0.1", url.port or 80, queue, answers)
                           for _ in range(min(concurrency, len(requests)))))
    return len(answers)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base_url")
    parser.add_argument("prompts_file")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--max-tokens", type=int, default=64)
    args = parser.parse_args()
    with open(args.prompts_file, encoding="utf-8") as handle:
        prompts = [json.loads(line) for line in handle][:args.limit]
    done = asyncio.run(main_async(args.base_url, build_requests(args.base_url, prompts, args.max_tokens),
                                  args.concurrency))
    return 0 if done == len(prompts) else 1


if __name__ == "__main__":
    sys.exit(main())
