// An Express app with @coilgun/express, as the package README shows it.
import express from 'express'
import { coilgun } from '@coilgun/express'
import { announce, page } from './page.mjs'

const app = express()
const middleware = coilgun({ secret: process.env.COILGUN_SECRET })
app.use(middleware)
let version = 0
app.get('/', function frontPage (_req, res) {
  res.type('text/html; charset=utf-8').send(page(++version))
})
const server = app.listen(0, '127.0.0.1', function listening () {
  announce(`http://127.0.0.1:${server.address().port}`)
})
process.once('SIGTERM', function stop () {
  server.close()
  server.closeAllConnections()
  middleware.close().then(() => process.exit(0))
})
