'use strict';
// The Lambda Node.js runtime interface, cut down to one invocation (local_aws/lambda_runtime.py):
// argv = handler string, event file, result file, request id, deadline (ms since epoch).
// Loads the handler as Lambda does (LAMBDA_TASK_ROOT, .js/.mjs/.cjs), calls it with the
// event and a context, and writes {"result": ...} or {"error": {...}} to the result file.
// Logs go to stdout/stderr in Lambda's text format (timestamp, request id, level, message).

const fs = require('node:fs');
const path = require('node:path');
const util = require('node:util');
const { pathToFileURL } = require('node:url');

const [handlerString, eventFile, resultFile, requestId, deadline] = process.argv.slice(2);
const taskRoot = process.env.LAMBDA_TASK_ROOT;
let finished = false;

function log(stream, level, args) {
  const message = util.format(...args).replace(/\n/g, '\r');
  stream.write(`${new Date().toISOString()}\t${requestId}\t${level}\t${message}\n`);
}
console.log = (...a) => log(process.stdout, 'INFO', a);
console.info = (...a) => log(process.stdout, 'INFO', a);
console.debug = (...a) => log(process.stdout, 'DEBUG', a);
console.warn = (...a) => log(process.stderr, 'WARN', a);
console.error = (...a) => log(process.stderr, 'ERROR', a);
console.trace = (...a) => log(process.stderr, 'TRACE', a);

class RuntimeError extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

function describe(error) {
  if (error instanceof Error) {
    return {
      errorType: error.name || (error.constructor && error.constructor.name) || 'Error',
      errorMessage: error.message,
      trace: String(error.stack || '').split('\n'),
    };
  }
  // Lambda wraps a non-Error rejection the same way.
  return { errorType: 'string', errorMessage: typeof error === 'string' ? error : JSON.stringify(error), trace: [] };
}

function finish(outcome) {
  if (finished) return;
  finished = true;
  if (outcome.error) {
    process.stderr.write(
      `${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify(outcome.error)}\n`
    );
  }
  fs.writeFileSync(resultFile, JSON.stringify(outcome));
  process.exit(0);
}

function succeed(result) {
  let serialized;
  try {
    serialized = JSON.stringify(result === undefined ? null : result);
  } catch (e) {
    finish({ error: describe(e) });
    return;
  }
  finish({ result: serialized });
}

process.on('uncaughtException', (e) => finish({ error: describe(e) }));
process.on('unhandledRejection', (reason) => {
  const e = new RuntimeError('Runtime.UnhandledPromiseRejection', `${reason && reason.stack ? reason.stack.split('\n')[0] : reason}`);
  finish({ error: describe(e) });
});

function hasTypeModule(dir) {
  for (let d = dir; ; d = path.dirname(d)) {
    const file = path.join(d, 'package.json');
    if (fs.existsSync(file)) {
      try {
        return JSON.parse(fs.readFileSync(file, 'utf8')).type === 'module';
      } catch {
        return false;
      }
    }
    if (d === path.dirname(d) || d === path.dirname(taskRoot)) return false;
  }
}

async function loadModule(moduleRoot, moduleName) {
  const base = path.resolve(taskRoot, moduleRoot, moduleName);
  for (const ext of ['.js', '.mjs', '.cjs']) {
    const file = base + ext;
    if (!fs.existsSync(file)) continue;
    if (ext === '.mjs' || (ext === '.js' && hasTypeModule(path.dirname(file)))) {
      return import(pathToFileURL(file).href);
    }
    return require(file);
  }
  // Neither file: Lambda tries the module name itself (node_modules, NODE_PATH).
  try {
    return require(require.resolve(moduleName, { paths: [path.resolve(taskRoot, moduleRoot)] }));
  } catch (e) {
    if (e.code === 'MODULE_NOT_FOUND') {
      throw new RuntimeError('Runtime.ImportModuleError', `Error: Cannot find module '${moduleName}'`);
    }
    throw e;
  }
}

async function loadHandler() {
  const slash = handlerString.lastIndexOf('/');
  const moduleRoot = slash >= 0 ? handlerString.slice(0, slash) : '';
  const rest = slash >= 0 ? handlerString.slice(slash + 1) : handlerString;
  const dot = rest.indexOf('.');
  if (dot < 0) {
    throw new RuntimeError('Runtime.MalformedHandlerName', 'Bad handler');
  }
  const moduleName = rest.slice(0, dot);
  let target = await loadModule(moduleRoot, moduleName);
  for (const part of rest.slice(dot + 1).split('.')) {
    let next = target == null ? undefined : target[part];
    if (next === undefined && target && target.default) next = target.default[part]; // CommonJS through import()
    target = next;
  }
  if (typeof target !== 'function') {
    throw new RuntimeError('Runtime.HandlerNotFound', `${handlerString} is undefined or not exported`);
  }
  return target;
}

async function main() {
  const event = JSON.parse(fs.readFileSync(eventFile, 'utf8'));
  let handler;
  try {
    handler = await loadHandler();
  } catch (e) {
    finish({ error: describe(e) });
    return;
  }
  const env = process.env;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: env._LOCAL_AWS_INVOKED_ARN,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: requestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, Number(deadline) - Date.now()),
    succeed: (result) => succeed(result),
    fail: (error) => finish({ error: describe(error) }),
    done: (error, result) => (error ? finish({ error: describe(error) }) : succeed(result)),
  };
  delete env._LOCAL_AWS_INVOKED_ARN;
  const callback = (error, result) => (error ? finish({ error: describe(error) }) : succeed(result));
  try {
    const returned = handler(event, context, callback);
    if (returned && typeof returned.then === 'function') {
      returned.then(succeed, (e) => finish({ error: describe(e) }));
    } else {
      // No promise: a callback handler answers through the callback; one that never calls
      // it answers null once the event loop is empty, as Lambda does.
      process.on('beforeExit', () => succeed(null));
    }
  } catch (e) {
    finish({ error: describe(e) });
  }
}

main();
