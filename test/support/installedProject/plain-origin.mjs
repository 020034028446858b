// A plain origin that knows nothing of Coilgun (node:http), for coilgun-listener.
import { createServer } from 'node:http'
import { announce, page } from './page.mjs'

let version = 0
const server = createServer(function frontPage (_req, res) {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
  res.end(page(++version))
})
server.listen(0, '127.0.0.1', function listening () {
  announce(`http://127.0.0.1:${server.address().port}`)
})
process.once('SIGTERM', function stop () {
  server.close()
  server.closeAllConnections()
  process.exit(0)
})
