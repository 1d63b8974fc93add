"""Local HTTP(S) server for fnhost's HTTP tests: binds 127.0.0.1 on a free port, prints it,
serves until stdin closes. Endpoints:
  /json            {"ok": true}
  /gzip            gzip-encoded JSON body (mtime 0: the same bytes every run)
  /redirect        302 to /json
  /slow-headers    waits 3 s before sending headers
  /auth            echoes the Authorization header
  /echo            echoes method, headers (lower-case) and body as JSON
  /chunks          a chunked body of 5 parts
  /short-body      says content-length 1000, sends 7 bytes and closes the connection
  /hangup          closes the connection without an answer
  /digest          HTTP Digest (RFC 7616, MD5, qop=auth) for user "user", password "pass":
                   401 with a challenge, then {"digest": "ok", "username": ...} for a valid answer
  /upload          reads the body (content-length or chunked) and answers a summary without
                   random parts: method, content-type (a multipart boundary as <BOUNDARY>),
                   transfer-encoding, content-length, the body's length, and for multipart the
                   parts (name, filename, content-type, size, sha256) else the body's sha256
A DHIS2 stand-in (credentials: basic admin:district, or the header "ApiToken d2pat_test";
anything else is 401 with DHIS2's WebMessage body):
  GET  /dhis2/api/me                          {"username": "admin", "auth": "basic" | "token"}
  GET  /dhis2/api/trackedEntityInstances?...  two instances of the ou asked for, and the query
                                              as received (raw and parsed)
  POST /dhis2/api/dataValueSets               a JSON {dataValues: [...]}: an ImportSummary; a
                                              dataElement "unknown" makes it 409 with conflicts
A Go.Data stand-in (user "user@example.org", password "secret"; token "godata-token-1"):
  POST /godata/api/oauth/token                JSON {username, password} -> {access_token, ...}
  POST /godata/api/users/login                JSON {email, password} -> {id: token, ttl, userId}
                                              (a wrong password: 401 LOGIN_FAILED)
  GET  /godata/api/outbreaks?filter=JSON      outbreaks matching filter.where.name (Bearer token)
  GET  /godata/api/outbreaks/ID/cases?filter= the cases of outbreak ID whose classification is
                                              filter.where.classification (Bearer token or an
                                              access_token query parameter; else 401)
Usage: python3 http_fixture.py [CERT KEY]   (with CERT/KEY: HTTPS)
"""
import base64
import gzip
import hashlib
import json
import re
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


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

    def read_body(self):
        """The request body, by content-length or by chunked transfer encoding."""
        if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
            body = b""
            while True:
                line = self.rfile.readline()
                if not line:
                    raise ConnectionError("the client went away mid-body")
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return body
                body += self.rfile.read(size)
                self.rfile.readline()  # the CRLF after each chunk
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def handle_any(self):
        try:
            body = self.read_body()
        except (ConnectionError, ValueError):
            self.close_connection = True  # an aborted upload: nobody to answer
            return
        path = urlsplit(self.path).path
        if path == "/upload":
            self.upload(body)
        elif path.startswith("/dhis2/api/"):
            self.dhis2(path[len("/dhis2/api"):], body)
        elif path.startswith("/godata/api/"):
            self.godata(path[len("/godata/api"):], body)
        elif self.path == "/json":
            self.send_json({"ok": True})
        elif self.path == "/gzip":
            data = gzip.compress(json.dumps({"zipped": True}).encode(), mtime=0)
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

    def upload(self, body):
        sha = lambda data: hashlib.sha256(data).hexdigest()
        ctype = self.headers.get("content-type") or ""
        boundary = re.search(r'boundary="?([^";]+)"?', ctype)
        summary = {
            "method": self.command,
            "contentType": ctype.replace(boundary.group(1), "<BOUNDARY>") if boundary else ctype or None,
            "transferEncoding": self.headers.get("transfer-encoding"),
            "contentLength": self.headers.get("content-length"),
            "length": len(body),
        }
        if boundary and ctype.startswith("multipart/"):
            summary["parts"] = []
            for chunk in body.split(b"--" + boundary.group(1).encode())[1:]:
                if chunk.startswith(b"--"):
                    break  # the closing delimiter
                head, _, content = chunk[2:].partition(b"\r\n\r\n")
                content = content[:-2] if content.endswith(b"\r\n") else content
                fields = {}
                for line in head.decode("utf-8", "replace").split("\r\n"):
                    key, _, value = line.partition(":")
                    fields[key.strip().lower()] = value.strip()
                disposition = fields.get("content-disposition", "")
                name = re.search(r'\bname="([^"]*)"', disposition)
                filename = re.search(r'\bfilename="([^"]*)"', disposition)
                summary["parts"].append({
                    "name": name and name.group(1),
                    "filename": filename and filename.group(1),
                    "contentType": fields.get("content-type"),
                    "size": len(content),
                    "sha256": sha(content),
                    "text": content.decode("utf-8", "replace") if len(content) <= 64 else None,
                })
        else:
            summary["sha256"] = sha(body)
        self.send_json(summary)

    def query(self):
        return {k: v if len(v) > 1 else v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}

    def dhis2(self, path, body):
        header = self.headers.get("authorization") or ""
        auth = None
        if header == "Basic " + base64.b64encode(b"admin:district").decode():
            auth = "basic"
        elif header == "ApiToken d2pat_test":
            auth = "token"
        if auth is None:
            return self.send_json({"httpStatus": "Unauthorized", "httpStatusCode": 401, "status": "ERROR",
                                   "message": "Unauthorized"}, status=401)
        if path == "/me" and self.command == "GET":
            return self.send_json({"username": "admin", "auth": auth})
        if path == "/trackedEntityInstances" and self.command == "GET":
            query = self.query()
            ou = query.get("ou", "none")
            return self.send_json({
                "query": {"raw": urlsplit(self.path).query, "parsed": query},
                "trackedEntityInstances": [
                    {"trackedEntityInstance": f"tei{i}", "orgUnit": ou, "trackedEntityType": "nEenWmSyUEp",
                     "attributes": [{"attribute": "w75KJ2mc4zz", "value": name}]}
                    for i, name in enumerate(["Ana", "Ben"], 1)
                ],
            })
        if path == "/dataValueSets" and self.command == "POST":
            try:
                values = json.loads(body)["dataValues"]
            except (ValueError, KeyError, TypeError):
                return self.send_json({"httpStatus": "Bad Request", "httpStatusCode": 400, "status": "ERROR",
                                       "message": "Invalid JSON payload"}, status=400)
            conflicts = [{"object": v.get("dataElement"), "value": "Data element not found or not accessible"}
                         for v in values if v.get("dataElement") == "unknown"]
            counts = {"imported": len(values) - len(conflicts), "updated": 0, "ignored": len(conflicts), "deleted": 0}
            summary = {"responseType": "ImportSummary", "status": "WARNING" if conflicts else "SUCCESS",
                       "importCount": counts, "conflicts": conflicts, "dataSetComplete": "false"}
            if conflicts:
                return self.send_json({"httpStatus": "Conflict", "httpStatusCode": 409, "status": "WARNING",
                                       "message": "One more conflicts encountered, please check import summary.",
                                       "response": summary}, status=409)
            return self.send_json({"httpStatus": "OK", "httpStatusCode": 200, "status": "OK",
                                   "message": "Import was successful.", "response": summary})
        self.send_json({"httpStatus": "Not Found", "httpStatusCode": 404, "status": "ERROR",
                        "message": f"Not found: {path}"}, status=404)

    def godata(self, path, body):
        token = "godata-token-1"
        try:
            sent = json.loads(body) if body else {}
        except ValueError:
            sent = {}
        if self.command == "POST" and path in ("/oauth/token", "/users/login"):
            user = sent.get("username") if path == "/oauth/token" else sent.get("email")
            if user != "user@example.org" or sent.get("password") != "secret":
                return self.send_json({"error": {"statusCode": 401, "name": "Error", "message": "login failed",
                                                 "code": "LOGIN_FAILED"}}, status=401)
            if path == "/oauth/token":
                return self.send_json({"token_type": "bearer", "expires_in": 600, "access_token": token})
            return self.send_json({"id": token, "ttl": 600, "userId": "u-1"})
        query = self.query()
        if self.headers.get("authorization") != f"Bearer {token}" and query.get("access_token") != token:
            return self.send_json({"error": {"statusCode": 401, "name": "Error", "message": "Authorization Required",
                                             "code": "AUTHORIZATION_REQUIRED"}}, status=401)
        try:
            where = json.loads(query.get("filter", "{}")).get("where", {})
        except (ValueError, AttributeError):
            return self.send_json({"error": {"statusCode": 400, "name": "Error", "message": "bad filter"}}, status=400)
        outbreaks = [{"id": "ob-1", "name": "Cholera 2024"}, {"id": "ob-2", "name": "Measles 2024"}]
        cases = [
            {"id": "c-1", "firstName": "Ana", "classification": "LNG_REFERENCE_DATA_CATEGORY_CASE_CLASSIFICATION_CONFIRMED"},
            {"id": "c-2", "firstName": "Ben", "classification": "LNG_REFERENCE_DATA_CATEGORY_CASE_CLASSIFICATION_SUSPECT"},
            {"id": "c-3", "firstName": "Cy", "classification": "LNG_REFERENCE_DATA_CATEGORY_CASE_CLASSIFICATION_CONFIRMED"},
        ]
        if path == "/outbreaks" and self.command == "GET":
            return self.send_json([o for o in outbreaks if "name" not in where or o["name"] == where["name"]])
        parts = path.split("/")
        if len(parts) == 4 and parts[1] == "outbreaks" and parts[3] == "cases" and self.command == "GET":
            if parts[2] not in [o["id"] for o in outbreaks]:
                return self.send_json({"error": {"statusCode": 404, "name": "Error", "code": "MODEL_NOT_FOUND",
                                                 "message": f"Unknown \"outbreak\" id \"{parts[2]}\"."}}, status=404)
            wanted = where.get("classification")
            return self.send_json([dict(c, outbreakId=parts[2]) for c in cases
                                   if wanted is None or c["classification"] == wanted])
        self.send_json({"error": {"statusCode": 404, "name": "Error", "message": f"no route {path}"}}, status=404)

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
