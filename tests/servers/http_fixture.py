"""Local HTTP(S) server for fnhost's HTTP tests: binds 127.0.0.1 on a free port, prints it,
serves until stdin closes. Endpoints:
  /json            {"ok": true}
  /gzip            gzip-encoded JSON body
  /redirect        302 to /json
  /slow-headers    waits 3 s before sending headers
  /auth            echoes the Authorization header
  /echo            echoes method, headers (lower-case) and body as JSON
  /chunks          a chunked body of 5 parts
  /short-body      says content-length 1000, sends 7 bytes and closes the connection
  /hangup          closes the connection without an answer
  /digest          HTTP Digest (RFC 7616, MD5, qop=auth) for user "user", password "pass":
                   401 with a challenge, then {"digest": "ok", "username": ...} for a valid answer
Usage: python3 http_fixture.py [CERT KEY]   (with CERT/KEY: HTTPS)
"""
import gzip
import hashlib
import json
import re
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes

    def log_message(self, *args):
        pass

    def send_json(self, obj, status=200, extra=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path == "/json":
            self.send_json({"ok": True})
        elif self.path == "/gzip":
            data = gzip.compress(json.dumps({"zipped": True}).encode())
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-encoding", "gzip")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        elif self.path == "/redirect":
            self.send_response(302)
            self.send_header("location", "/json")
            self.send_header("content-length", "0")
            self.end_headers()
        elif self.path == "/slow-headers":
            time.sleep(3)
            self.send_json({"slow": True})
        elif self.path == "/auth":
            self.send_json({"authorization": self.headers.get("authorization")})
        elif self.path == "/echo":
            self.send_json({
                "method": self.command,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body.decode("utf-8", "replace"),
            })
        elif self.path == "/chunks":
            self.send_response(200)
            self.send_header("content-type", "text/plain")
            self.send_header("transfer-encoding", "chunked")
            self.end_headers()
            for i in range(5):
                part = f"part{i};".encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.flush()
                time.sleep(0.02)
            self.wfile.write(b"0\r\n\r\n")
        elif self.path == "/short-body":
            self.send_response(200)
            self.send_header("content-type", "text/plain")
            self.send_header("content-length", "1000")
            self.end_headers()
            self.wfile.write(b"abcdefg")
            self.wfile.flush()
            self.close_connection = True
        elif self.path == "/hangup":
            self.close_connection = True
        elif self.path == "/digest":
            self.digest()
        else:
            self.send_json({"error": "not found"}, status=404)

    def digest(self):
        realm, nonce, opaque = "fnhost", "dcd98b7102dd2f0e8b11d0f600bfb0c093", "5ccc069c403ebaf9f0171e9517f40e41"
        header = self.headers.get("authorization") or ""
        fields = dict(re.findall(r'(\w+)="?([^",]*)"?', header[7:])) if header.startswith("Digest ") else {}
        md5 = lambda text: hashlib.md5(text.encode()).hexdigest()
        if fields.get("username") == "user" and fields.get("nonce") == nonce:
            ha1 = md5(f"user:{realm}:pass")
            ha2 = md5(f"{self.command}:{fields.get('uri')}")
            expected = md5(f"{ha1}:{nonce}:{fields.get('nc')}:{fields.get('cnonce')}:{fields.get('qop')}:{ha2}")
            if fields.get("response") == expected and fields.get("qop") == "auth":
                return self.send_json({"digest": "ok", "username": fields["username"], "uri": fields.get("uri")})
        challenge = f'Digest realm="{realm}", qop="auth", nonce="{nonce}", opaque="{opaque}", algorithm=MD5'
        self.send_json({"error": "unauthorized"}, status=401, extra={"www-authenticate": challenge})

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any


class Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default 5 drops connects when 32 arrive at once
    daemon_threads = True


def main():
    server = Server(("127.0.0.1", 0), Handler)
    if len(sys.argv) == 3:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[1], sys.argv[2])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # serve until the test closes our stdin
    server.shutdown()


if __name__ == "__main__":
    main()
