-- Highlight groups, linked to standard groups so any colorscheme works. Override them
-- with :highlight (they are `default` links).
local M = {}

M.links = {
  AsyncellGutter = "NonText",
  AsyncellHeader = "Comment",
  AsyncellRunning = "DiagnosticInfo",
  AsyncellOk = "DiagnosticOk",
  AsyncellCancelled = "DiagnosticWarn",
  AsyncellStdout = "Normal",
  AsyncellStderr = "DiagnosticWarn",
  AsyncellResult = "Identifier",
  AsyncellDisplay = "Normal",
  AsyncellImage = "Special",
  AsyncellError = "DiagnosticError",
  AsyncellTraceback = "Comment",
  AsyncellMore = "Comment",
  AsyncellTaskRunning = "DiagnosticInfo",
  AsyncellTaskFailed = "DiagnosticError",
  AsyncellTaskDone = "DiagnosticOk",
  AsyncellTaskCancelled = "DiagnosticWarn",
}

function M.setup()
  for group, link in pairs(M.links) do
    vim.api.nvim_set_hl(0, group, { link = link, default = true })
  end
end

return M
