-- The plugin against the protocol's one definition (docs/schema/, generated from the
-- server's Rust types): every typed example notification goes through the handlers the
-- plugin registers, every example result through the code that sends the request, into a
-- real buffer, and the test reads back what the user sees; the params the plugin sends are
-- validated against the schema; and every method, event kind, output type and status the
-- Lua sources name exists in the schema.
local H = dofile(vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h") .. "/helpers.lua")

H.setup()

local function read_json(relative)
  local lines = vim.fn.readfile(H.root .. "/" .. relative)
  -- As Neovim's LSP client decodes messages (vim/lsp/rpc.lua): null in an object is nil.
  return vim.json.decode(table.concat(lines, "\n"), { luanil = { object = true } })
end

local SCHEMA = read_json("docs/schema/lsp-extension.schema.json")
local EXAMPLES = read_json("docs/schema/lsp-extension.examples.json")
local DEFS = SCHEMA["$defs"]

local function def(ref)
  local name = ref:match("^#/%$defs/(.+)$")
  return assert(DEFS[name], "no $defs entry for " .. ref)
end

--- The string values a definition allows (enum, const, and those of its oneOf/anyOf).
local function values(schema, into)
  into = into or {}
  if schema["$ref"] then
    return values(def(schema["$ref"]), into)
  end
  for _, v in ipairs(schema.enum or {}) do
    into[v] = true
  end
  if schema.const ~= nil then
    into[schema.const] = true
  end
  for _, member in ipairs(schema.oneOf or schema.anyOf or {}) do
    values(member, into)
  end
  return into
end

local OUTPUT_TYPES = {}
for _, member in ipairs(DEFS.NbOutput.oneOf) do
  OUTPUT_TYPES[member.properties.output_type.const] = true
end
local EVENT_KINDS = values(DEFS.EventKind)
local EXEC_STATUSES = values(DEFS.ExecStatus)
local TASK_STATES = values(DEFS.TaskState)
local HOST_PHASES = values(DEFS.HostPhase)
local METHODS = {}
for method in pairs(SCHEMA.requests) do
  METHODS[method] = "request"
end
for method in pairs(SCHEMA.notifications) do
  METHODS[method] = "notification"
end
local PROPERTIES = {}
local function collect_properties(schema)
  if type(schema) ~= "table" then
    return
  end
  for name, sub in pairs(schema.properties or {}) do
    PROPERTIES[name] = true
    collect_properties(sub)
  end
  for _, member in ipairs(schema.oneOf or schema.anyOf or {}) do
    collect_properties(member)
  end
end
for _, d in pairs(DEFS) do
  collect_properties(d)
end

--- A small JSON Schema check for what the plugin sends: $ref, type, required, properties
--- (no unknown ones), enum/const, anyOf/oneOf, items. Returns nil or the first problem.
local function check(value, schema, path)
  path = path or "params"
  if schema["$ref"] then
    return check(value, def(schema["$ref"]), path)
  end
  if schema.anyOf or schema.oneOf then
    local problems = {}
    for _, member in ipairs(schema.anyOf or schema.oneOf) do
      local problem = check(value, member, path)
      if not problem then
        return nil
      end
      problems[#problems + 1] = problem
    end
    return table.concat(problems, "; or ")
  end
  local types = type(schema.type) == "table" and schema.type or { schema.type }
  local ok_type = schema.type == nil
  for _, t in ipairs(types) do
    if (t == "null" and (value == nil or value == vim.NIL))
      or (t == "string" and type(value) == "string")
      or (t == "boolean" and type(value) == "boolean")
      or ((t == "integer" or t == "number") and type(value) == "number")
      or (t == "object" and type(value) == "table" and not vim.islist(value))
      or (t == "array" and type(value) == "table" and vim.islist(value))
    then
      ok_type = true
    end
  end
  if not ok_type then
    return ("%s: %s is not %s"):format(path, vim.inspect(value), table.concat(types, "|"))
  end
  if schema.enum and not vim.tbl_contains(schema.enum, value) then
    return ("%s: %s is none of %s"):format(path, vim.inspect(value), table.concat(schema.enum, ", "))
  end
  if schema.const ~= nil and value ~= schema.const then
    return ("%s: %s is not %s"):format(path, vim.inspect(value), schema.const)
  end
  if type(value) == "table" and schema.properties then
    for _, name in ipairs(schema.required or {}) do
      if value[name] == nil then
        return ("%s: the required %s is missing"):format(path, name)
      end
    end
    for name, sub in pairs(value) do
      local property = schema.properties[name]
      if not property then
        return ("%s: %s is not a field of the schema"):format(path, name)
      end
      local problem = check(sub, property, path .. "." .. name)
      if problem then
        return problem
      end
    end
  end
  if type(value) == "table" and schema.items then
    for i, item in ipairs(value) do
      local problem = check(item, schema.items, ("%s[%d]"):format(path, i))
      if problem then
        return problem
      end
    end
  end
end

local function examples(method)
  local found = vim.tbl_filter(function(e)
    return e.method == method
  end, EXAMPLES)
  H.truthy(#found > 0, "an example of " .. method)
  return found
end

--- `expected[name]` for every example: a new example fails here until it has one.
local function expectation(expected, example)
  local want = expected[example.name]
  H.truthy(want ~= nil, ("an expectation for the example %q (%s)"):format(example.name, example.method))
  return want
end

local CELLS = table.concat({ "# %%", "print('beat 0')", "", "# %%", "x = 1" }, "\n")

local buf = nil
local function demo()
  if not buf then
    buf = H.open("demo.py", CELLS)
  end
  vim.api.nvim_set_current_buf(buf)
  require("asyncell.outputs").clear(buf)
  return buf
end

--- The example's params, about the test's buffer.
local function about(b, params)
  local copy = vim.deepcopy(params)
  copy.textDocument = { uri = vim.uri_from_bufnr(b) }
  return copy
end

--- Calls the handler the plugin registered with its client for `method`.
local function notify_client(b, method, params)
  local client = assert(require("asyncell.lsp").client(b), "no asyncell client")
  local handler = (client.handlers or {})[method] or (client.config.handlers or {})[method]
  H.truthy(handler, "a handler for " .. method .. " in the client's config")
  handler(nil, params, { method = method, client_id = client.id, bufnr = b })
end

--- Replaces lsp.request for the duration of `fn`: each request is recorded (and its params
--- validated against the schema) and answered with `replies[method]` when there is one.
local function with_replies(replies, fn)
  local lsp = require("asyncell.lsp")
  local real = lsp.request
  local sent = {}
  lsp.request = function(b, method, params, callback)
    params = vim.deepcopy(params or {})
    params.textDocument = { uri = vim.uri_from_bufnr(b) }
    sent[#sent + 1] = { method = method, params = params }
    local reply = replies[method]
    if reply ~= nil and callback then
      callback(nil, vim.deepcopy(reply))
    end
    return 1
  end
  local ok, err = pcall(fn, sent)
  lsp.request = real
  if not ok then
    error(err, 0)
  end
  for _, request in ipairs(sent) do
    H.eq("request", METHODS[request.method], "the plugin sends " .. request.method .. ": in the schema's requests")
    local problem = check(request.params, SCHEMA.requests[request.method].params)
    H.eq(nil, problem, request.method .. " params the plugin sends")
  end
  return sent
end

--- Records vim.notify calls during `fn`: list of {message, level}.
local function notifications(fn)
  local real = vim.notify
  local seen = {}
  vim.notify = function(message, level)
    seen[#seen + 1] = { message, level or vim.log.levels.INFO }
  end
  local ok, err = pcall(fn)
  vim.notify = real
  if not ok then
    error(err, 0)
  end
  return seen
end

local function block_lines(b)
  local entry = H.block_below(b, "print('beat 0')")
  return entry and entry.lines or {}
end

H.test("every asyncell/output example shows under its cell", function()
  local expected = {
    ["stdout of a cell"] = "beat 1",
    ["stdout of a background task"] = "[t1] beat 2",
    ["an image"] = "[image/png, 8 B] <Figure>",
    ["a traceback"] = "✗ ValueError: bad  (traceback: :AsyncellOutput)",
  }
  local outputs = require("asyncell.outputs")
  for _, example in ipairs(examples("asyncell/output")) do
    local want = expectation(expected, example)
    local b = demo()
    local block = outputs.create(b, example.params.executionId, 1, 0, 2, nil)
    outputs.set_status(block, "running")
    notify_client(b, "asyncell/output", about(b, example.params))
    H.wait(("%q under the cell for %q"):format(want, example.name), function()
      return vim.tbl_contains(block_lines(b), require("asyncell.config").options.gutter .. want)
        or table.concat(block_lines(b), "\n"):find(want, 1, true)
    end, 3000)
  end
end)

H.test("every asyncell/event example: task failures and host deaths are told, the rest is quiet", function()
  local WARN, INFO = vim.log.levels.WARN, vim.log.levels.INFO
  local expected = {
    ["host started"] = { notices = {}, header = "● running" },
    ["host died"] = { notices = { { "asyncell: the host exited: host died (exit code 1)", WARN } }, header = "✗ host exited" },
    ["host stopped on purpose"] = { notices = { { "asyncell: the host stopped: host shut down", INFO } }, header = "✗ host exited" },
    ["a background task failed"] = {
      notices = { { "asyncell: task heartbeat failed: RuntimeError: boom", WARN } },
      header = "● running",
    },
    ["a background task finished"] = { notices = {}, header = "● running" },
  }
  local exec = require("asyncell.exec")
  for _, example in ipairs(examples("asyncell/event")) do
    local want = expectation(expected, example)
    local b = demo()
    local seen
    with_replies({}, function()
      -- A cell running (its execute not answered yet) when the event arrives.
      exec.run_cell(b, 1)
      H.wait("the cell to show as running", function()
        return table.concat(block_lines(b), "\n"):find("● running", 1, true)
      end, 3000)
      seen = notifications(function()
        notify_client(b, "asyncell/event", about(b, example.params))
        vim.wait(50)
      end)
    end)
    H.eq(want.notices, seen, example.name .. ": notifications")
    H.wait(("%q in the cell's header for %q"):format(want.header, example.name), function()
      return (block_lines(b)[1] or ""):find(want.header, 1, true)
    end, 3000)
    exec.on_server_exit()
  end
end)

H.test("every asyncell/execute result shows under the cell it ran", function()
  local expected = {
    ["execute a cell"] = { "✓ [3] 2 ms", "beat 0", "│ → 42" },
    ["execute code that raises"] = { "✗ [4] error 1 ms", "✗ ZeroDivisionError: division by zero  (traceback: :AsyncellOutput)" },
    ["execute the cell at a position"] = { "⊘ interrupted 0 ms" },
  }
  local exec = require("asyncell.exec")
  for _, example in ipairs(examples("asyncell/execute")) do
    local want = expectation(expected, example)
    local b = demo()
    local sent = with_replies({ ["asyncell/execute"] = example.result }, function()
      exec.run_cell(b, 1)
    end)
    H.truthy(vim.tbl_contains(vim.tbl_map(function(r)
      return r.method
    end, sent), "asyncell/execute"), example.name .. ": an asyncell/execute was sent")
    H.wait(("%s under the cell for %q"):format(vim.inspect(want), example.name), function()
      local text = table.concat(block_lines(b), "\n")
      for _, line in ipairs(want) do
        if not text:find(line, 1, true) then
          return false
        end
      end
      return true
    end, 3000)
  end
end)

H.test("every asyncell/status result shows in the statusline and the task list", function()
  local expected = {
    ["status while a cell runs"] = {
      line = "trio ● busy · 1 task",
      tasks = { "trio busy · pid 4242", "t1", "heartbeat", "running", "e2" },
    },
  }
  local status = require("asyncell.status")
  for _, example in ipairs(examples("asyncell/status")) do
    local want = expectation(expected, example)
    local b = demo()
    status.update(b, vim.deepcopy(example.result))
    H.eq(want.line, status.line(b), example.name .. ": statusline")
    local lines = require("asyncell.tasks").format(b, status.get(b))
    for _, needle in ipairs(want.tasks) do
      H.contains(lines, needle, example.name .. ": task list")
    end
    status.forget(b)
  end
end)

H.test("every asyncell/interrupt, restart and cancelTask result gives the message the user sees", function()
  local expected = {
    -- The cell stopped (its block says so): nothing more to tell.
    ["interrupt an awaiting cell"] = {},
    ["restart"] = { { "asyncell: restarted the host (pid 4243)", vim.log.levels.INFO } },
    ["cancel a background task"] = {},
  }
  local exec = require("asyncell.exec")
  local calls = {
    ["asyncell/interrupt"] = function(b)
      exec.interrupt(b)
    end,
    ["asyncell/restart"] = function(b)
      exec.restart(b)
    end,
    ["asyncell/cancelTask"] = function(b, example)
      exec.cancel_task(b, example.params.taskId)
    end,
  }
  for method, call in pairs(calls) do
    for _, example in ipairs(examples(method)) do
      local want = expectation(expected, example)
      local b = demo()
      local seen
      local sent = with_replies({ [method] = example.result }, function()
        seen = notifications(function()
          call(b, example)
        end)
      end)
      H.eq(method, sent[1].method, example.name .. ": the request sent")
      local want_fields, sent_fields = vim.tbl_keys(example.params), vim.tbl_keys(sent[1].params)
      table.sort(want_fields)
      table.sort(sent_fields)
      H.eq(want_fields, sent_fields, example.name .. ": the params' fields")
      H.eq(want, seen, example.name .. ": notifications")
    end
  end
end)

--- Every Lua source of the plugin: {file, text}.
local function sources()
  local list = {}
  for _, path in ipairs(vim.fn.glob(H.root .. "/editors/nvim/lua/asyncell/*.lua", false, true)) do
    list[#list + 1] = { vim.fn.fnamemodify(path, ":t"), table.concat(vim.fn.readfile(path), "\n") }
  end
  table.sort(list, function(a, b)
    return a[1] < b[1]
  end)
  return list
end

H.test("every method, event kind, output type, status and field the Lua sources name is in the schema", function()
  local counts = { method = 0, output_type = 0, kind = 0, status = 0, state = 0, field = 0 }
  -- Block states of the plugin's own (a run not answered yet, or whose host died).
  local LOCAL_STATUSES = { queued = true, running = true, dead = true, failed = true }
  -- camelCase names that are not asyncell/* fields: LSP's own and the server's settings
  -- (initializationOptions and its trustedWorkspace), the code lens commands.
  local NOT_FIELDS = { initializationOptions = true, trustedWorkspace = true, runCell = true, runAbove = true }
  local function any_of(...)
    local sets = { ... }
    return function(value)
      for _, set in ipairs(sets) do
        if set[value] then
          return true
        end
      end
      return false
    end
  end
  -- {what, pattern (one capture), allowed}: string literals compared with or assigned to
  -- a protocol field, and camelCase names (the protocol's field names).
  local RULES = {
    { "method", '"(asyncell/[%w]+)"', any_of(METHODS) },
    { "output_type", 'output_type%s*[=~]=?%s*"([%w_]+)"', any_of(OUTPUT_TYPES) },
    { "kind", 'kind%s*[=~]=%s*"([%w_]+)"', any_of(OUTPUT_TYPES, EVENT_KINDS) },
    { "status", 'status%s*[=~]=%s*"([%w_]+)"', any_of(EXEC_STATUSES, LOCAL_STATUSES) },
    { "state", 'state%s*[=~]=%s*"([%w_]+)"', any_of(TASK_STATES, HOST_PHASES) },
    { "field", "[%.%s{,]([a-z]+[A-Z][%w]*)", any_of(PROPERTIES, NOT_FIELDS) },
  }
  local problems = {}
  local function expect(ok, file, what)
    if not ok then
      problems[#problems + 1] = file .. ": " .. what
    end
  end
  for _, source in ipairs(sources()) do
    local file, text = source[1], source[2]
    -- Code only: comments name methods in prose.
    local code = text:gsub("%-%-[^\n]*", "")
    for _, rule in ipairs(RULES) do
      for value in code:gmatch(rule[2]) do
        counts[rule[1]] = counts[rule[1]] + 1
        expect(rule[3](value), file, ("%s %s is not in the schema"):format(rule[1], value))
      end
    end
    -- The tables keyed by host state (status.lua) and task state (tasks.lua).
    for _, keyed in ipairs({ { "status.lua", "ICONS", HOST_PHASES }, { "tasks.lua", "STATE_HL", TASK_STATES } }) do
      if file == keyed[1] then
        for key in code:match("local " .. keyed[2] .. " = (%b{})"):gmatch("(%w+) =") do
          counts.state = counts.state + 1
          expect(keyed[3][key], file, ("%s names the state %s"):format(keyed[2], key))
        end
      end
    end
  end
  H.eq({}, problems, "names the schema does not have")
  -- The scan found what the plugin uses (else it is broken, and proves nothing).
  for what, min in pairs({ method = 6, output_type = 1, kind = 6, status = 6, state = 8, field = 8 }) do
    H.truthy(counts[what] >= min, ("the scan found %d %s names (expected at least %d)"):format(counts[what], what, min))
  end
  -- And every state the schema has is one the plugin shows.
  local ok, status_src = pcall(vim.fn.readfile, H.root .. "/editors/nvim/lua/asyncell/status.lua")
  H.truthy(ok)
  for phase in pairs(HOST_PHASES) do
    H.contains(status_src, phase .. " =", "status.lua ICONS has the host state " .. phase)
  end
end)

H.test("the plugin shows exactly the schema's image MIME types as images", function()
  local render = require("asyncell.render")
  H.eq(SCHEMA.imageMimeTypes, render.IMAGE_TYPES, "render.IMAGE_TYPES")
  for _, mime in ipairs(SCHEMA.imageMimeTypes) do
    local text = render.image_placeholder({ [mime] = "iVBORw0KGgo=", ["text/plain"] = "<Figure>" })
    H.truthy(text and text:find("[" .. mime, 1, true), mime .. " as an image placeholder: " .. tostring(text))
  end
  H.eq(nil, render.image_placeholder({ ["image/webp"] = "AAAA" }), "a type not in the schema")
end)

H.run()
