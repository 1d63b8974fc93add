// A raw TCP listener for the wire tests (tests/bridge/wire.mjs, tests/node_ext/make-expected.mjs):
// the Node twin of `support::Recorder` in tests/it/support.rs.
import net from 'node:net';

/** A listener that records every request's bytes (head and body) by its path. Answers
 * `200` with a 2-byte body (none to a HEAD), keeping the connection open as HTTP/1.1 does. */
export function recorder() {
  const seen = {};
  const server = net.createServer((socket) => {
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end + 4).toString('latin1');
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        let total = end + 4;
        if (length) total += Number(length[1]);
        else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
          const last = buf.indexOf('0\r\n\r\n', end + 4);
          if (last < 0) return;
          total = last + 5;
        }
        if (buf.length < total) return;
        const request = buf.subarray(0, total).toString('latin1');
        buf = buf.subarray(total);
        seen[request.split(' ')[1].slice(1).split('?')[0]] = request;
        const isHead = request.startsWith('HEAD ');
        socket.write(`HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\n${isHead ? '' : 'ok'}`);
      }
    });
    socket.on('error', () => {});
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, seen, port: server.address().port })));
}
