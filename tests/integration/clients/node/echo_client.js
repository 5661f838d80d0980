'use strict';
// One echo session with the ssh2 package for Node.js, for the client
// interoperability tests (tests/integration/test_clients.py).
//
//   node echo_client.js CONFIG.json
//
// CONFIG: {port, user, key, hostKey (base64 blob the server must present),
// input, output, algorithms (ssh2's own shape, optional)}. Sends the input
// file through the "echo" subsystem, writes what comes back to the output
// file, and prints one JSON line with the negotiated algorithms and the exit
// status. Exit code 0 only if the session ended with exit-status 0.
const fs = require('fs');
const { Client } = require('ssh2');

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const expectedHostKey = Buffer.from(cfg.hostKey, 'base64');
const facts = { negotiated: null, exitStatus: null, hostKeyChecked: false };

function fail(msg) {
  process.stderr.write('node-ssh2: ' + msg + '\n');
  process.exit(2);
}

// Never hang a test run: the Python side has its own limit, this one says why.
setTimeout(() => fail('timed out'), (cfg.timeout || 90) * 1000).unref();

const conn = new Client();
conn.on('handshake', (negotiated) => { facts.negotiated = negotiated; });
conn.on('error', (err) => fail('connection error: ' + (err && err.message)));
conn.on('ready', () => {
  conn.subsys('echo', (err, stream) => {
    if (err)
      fail('subsystem refused: ' + err.message);
    const out = fs.createWriteStream(cfg.output);
    let outDone = false;
    let closed = false;
    const finish = () => {
      if (!outDone || !closed)
        return;
      process.stdout.write(JSON.stringify(facts) + '\n');
      conn.end();
      process.exit(facts.exitStatus === 0 ? 0 : 3);
    };
    out.on('finish', () => { outDone = true; finish(); });
    stream.on('exit', (code) => { facts.exitStatus = code; });
    stream.on('close', () => { closed = true; out.end(); });
    stream.on('data', (chunk) => {
      // Backpressure both ways: stop reading while the file lags.
      if (!out.write(chunk)) {
        stream.pause();
        out.once('drain', () => stream.resume());
      }
    });
    stream.stderr.on('data', (d) => process.stderr.write(d));
    fs.createReadStream(cfg.input).pipe(stream);   // ends with EOF
  });
});

const options = {
  host: '127.0.0.1',
  port: cfg.port,
  username: cfg.user,
  privateKey: fs.readFileSync(cfg.key),
  agent: undefined,
  readyTimeout: 30000,
  hostVerifier: (key) => {
    facts.hostKeyChecked = true;
    return Buffer.isBuffer(key) && key.equals(expectedHostKey);
  },
};
if (cfg.algorithms)
  options.algorithms = cfg.algorithms;
conn.connect(options);
