#!/usr/bin/env node
// The installed command. It lives outside dist/ so that a fresh checkout can link
// it before the first build; it runs the built command line.
import '../dist/main.js'
