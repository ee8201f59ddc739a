// How node-postgres reads connection URLs: for each URL in the JSON array on stdin, what pg-connection-string
// returns and what pg's ConnectionParameters resolves (PG* variables and USER applied), as one JSON array.
// Usage: node parse-url.js [module-directory]   (default: the pg next to this script; pg-old for 2.5.0)
'use strict'
const path = require('path')
const base = path.resolve(__dirname, process.argv[2] || '.')
const parse = require(require.resolve('pg-connection-string', { paths: [base] }))
const pgDir = path.dirname(require.resolve('pg/package.json', { paths: [base] }))
const ConnectionParameters = require(path.join(pgDir, 'lib', 'connection-parameters'))

const urls = JSON.parse(require('fs').readFileSync(0, 'utf8'))
const text = (value) => (value === undefined || value === null ? null : String(value))
const results = urls.map((url) => {
  try {
    const raw = parse(url)
    const resolved = new ConnectionParameters(url)
    return {
      url,
      ok: true,
      raw: { host: text(raw.host), port: text(raw.port), user: text(raw.user), database: text(raw.database) },
      resolved: {
        host: text(resolved.host),
        port: text(resolved.port),
        user: text(resolved.user),
        database: text(resolved.database),
        password: text(resolved.password),
      },
    }
  } catch (error) {
    return { url, ok: false, error: String(error && error.message) }
  }
})
process.stdout.write(JSON.stringify(results))
