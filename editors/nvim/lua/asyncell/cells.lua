-- `# %%` cells of a buffer, split exactly as the server splits them
-- (server/src/analysis/percent.rs): a marker is `#`, optional blanks, then `%%`; text
-- before the first marker is a cell only when it is not blank; a file without markers is
-- one cell. Rows are 0-based and inclusive.
local M = {}

function M.is_marker(line)
  return line:match("^%s*#%s*%%%%") ~= nil
end

local function is_markdown(line)
  local rest = line:gsub("^%s*#+%s*%%+", "")
  return rest:find("[markdown]", 1, true) ~= nil
    or rest:find("[md]", 1, true) ~= nil
    or rest:find("[raw]", 1, true) ~= nil
end

--- @class asyncell.Cell
--- @field index integer 1-based position among all cells
--- @field start_row integer first row (the marker line when there is one)
--- @field end_row integer last row
--- @field anchor_row integer last non-blank row: outputs go below it
--- @field is_code boolean
--- @field marker boolean whether the cell starts with a marker line

local function finish(cell, lines)
  local anchor = cell.start_row
  for row = cell.end_row, cell.start_row, -1 do
    if (lines[row + 1] or ""):match("%S") then
      anchor = row
      break
    end
  end
  cell.anchor_row = anchor
  return cell
end

--- All cells of a buffer.
--- @return asyncell.Cell[]
function M.list(buf)
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local cells = {}
  local start, is_code, seen_marker = 0, true, false
  local function push(end_row, marker)
    cells[#cells + 1] =
      finish({ start_row = start, end_row = end_row, is_code = is_code, marker = marker }, lines)
  end
  for i, line in ipairs(lines) do
    local row = i - 1
    if M.is_marker(line) then
      if row > start or seen_marker then
        local blank = true
        for r = start + 1, row do
          if lines[r]:match("%S") then
            blank = false
            break
          end
        end
        if seen_marker or not blank then
          push(row - 1, seen_marker)
        end
      end
      seen_marker, start, is_code = true, row, not is_markdown(line)
    end
  end
  local trailing_blank = true
  for r = start + 1, #lines do
    if lines[r]:match("%S") then
      trailing_blank = false
      break
    end
  end
  if seen_marker or not trailing_blank or #cells == 0 then
    push(math.max(#lines - 1, start), seen_marker)
  end
  for i, cell in ipairs(cells) do
    cell.index = i
  end
  return cells
end

--- The cell containing `row`, or nil (a blank preamble before the first marker).
function M.at(buf, row)
  for _, cell in ipairs(M.list(buf)) do
    if row >= cell.start_row and row <= cell.end_row then
      return cell
    end
  end
end

--- Code cells strictly above the cell containing `row` (all code cells above `row` when
--- it is in no cell).
function M.above(buf, row)
  local result = {}
  for _, cell in ipairs(M.list(buf)) do
    if cell.end_row >= row or (cell.start_row <= row and row <= cell.end_row) then
      break
    end
    if cell.is_code then
      result[#result + 1] = cell
    end
  end
  return result
end

--- Code cells from the cell containing `row` (or the first one after it) to the end.
function M.from(buf, row)
  local result = {}
  for _, cell in ipairs(M.list(buf)) do
    if cell.end_row >= row and cell.is_code then
      result[#result + 1] = cell
    end
  end
  return result
end

--- Where the cursor goes in a cell: its first line after the marker (the marker itself
--- when the cell has nothing else).
function M.body_row(cell)
  if cell.marker and cell.start_row < cell.end_row then
    return cell.start_row + 1
  end
  return cell.start_row
end

--- The cell `count` cells after (count > 0) or before (count < 0) the one containing
--- `row`, stopping at the first and last cell; nil when there is none in that direction.
--- From a blank preamble, the first cell is one step forward.
function M.step(buf, row, count)
  local list = M.list(buf)
  local here
  for i, cell in ipairs(list) do
    if row >= cell.start_row and row <= cell.end_row then
      here = i
      break
    end
  end
  if not here then
    -- Before the first cell: the first cell counts as "the next one".
    here = 0
  end
  local target = math.max(1, math.min(#list, here + count))
  if target == here or (here == 0 and count < 0) or not list[target] then
    return nil
  end
  return list[target]
end

function M.code_cells(buf)
  return vim.tbl_filter(function(cell)
    return cell.is_code
  end, M.list(buf))
end

return M
