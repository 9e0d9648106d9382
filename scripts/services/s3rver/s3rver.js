// Starts @20minutes/s3rver (an S3-compatible test server that verifies SigV4 signatures) on
// 127.0.0.1. Its npm package has no command-line entry point, so it is started from here.
//
//   node s3rver.js --directory DIR --bucket NAME --state-file FILE [--port N] [--exit-with PID]
//
// --port 0 (the default) lets the kernel pick a free port. Once the server listens, the file
// FILE receives "port=N" and "pid=N" lines (written to a temporary name, then renamed, so a
// reader never sees half of it). --exit-with makes the server stop when that process is gone,
// so a test that dies cannot leave it running. SIGTERM and SIGINT stop it.
//
// Run it with NODE_OPTIONS=--openssl-legacy-provider: s3rver builds ListObjectsV2
// continuation tokens with DES, which node >= 17 refuses without it (pagination then fails
// with 500 InternalError).
'use strict';

const fs = require('fs');
const path = require('path');
const S3rver = require('@20minutes/s3rver');

function parseArguments(argv) {
  const options = { port: '0' };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (!name.startsWith('--') || value === undefined) {
      throw new Error(`bad argument '${name}'`);
    }
    options[name.slice(2)] = value;
  }
  for (const required of ['directory', 'bucket', 'state-file']) {
    if (!options[required]) throw new Error(`--${required} is required`);
  }
  return options;
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  fs.mkdirSync(options.directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: Number(options.port),
    directory: options.directory,
    silent: true,
    configureBuckets: [{ name: options.bucket }],
  });
  const address = await server.run();

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    // Do not wait for idle keep-alive connections of clients to close.
    if (server.httpServer && server.httpServer.closeAllConnections) {
      server.httpServer.closeAllConnections();
    }
    server.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  if (options['exit-with']) {
    const watched = Number(options['exit-with']);
    setInterval(() => {
      try {
        process.kill(watched, 0);
      } catch (error) {
        if (error.code === 'ESRCH') stop();
      }
    }, 500);
  }

  const stateFile = options['state-file'];
  const temporary = path.join(path.dirname(stateFile), `.${path.basename(stateFile)}.tmp`);
  fs.writeFileSync(temporary, `port=${address.port}\npid=${process.pid}\n`);
  fs.renameSync(temporary, stateFile);
}

main().catch((error) => {
  console.error(`s3rver.js: ${error.stack || error}`);
  process.exit(1);
});
