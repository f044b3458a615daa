;;; eglot.el --- asyncell with Emacs's eglot, no asyncell code: run with
;;; ASYNCELL_BIN=... ASYNCELL_PYTHON=... WORKDIR=... emacs --batch -l eglot.el
;;; Prints "ok: ..." per check and exits 1 at the first failure.

(require 'package)
(package-initialize)
(require 'eglot)
(require 'flymake)
(require 'python)

(defvar t-bin (getenv "ASYNCELL_BIN"))
(defvar t-python (getenv "ASYNCELL_PYTHON"))
(defvar t-file (expand-file-name "cells.py" (getenv "WORKDIR")))
(defvar t-messages nil "Everything shown in the echo area.")

(setq eglot-server-programs
      `((python-mode . (,t-bin :initializationOptions (:python ,t-python)))))
(setq eglot-sync-connect 10)
(advice-add 'message :before
            (lambda (fmt &rest args)
              (when fmt (push (apply #'format-message fmt args) t-messages))))

(defun t-fail (what)
  (princ (format "FAIL: %s\n" what))
  (dolist (buffer (buffer-list))
    (when (string-match-p "stderr\\|events" (buffer-name buffer))
      (with-current-buffer buffer
        (princ (format "--- %s\n%s\n" (buffer-name)
                       (buffer-substring-no-properties (max (point-min) (- (point-max) 3000)) (point-max)))))))
  (kill-emacs 1))

(defun t-ok (what) (princ (format "ok: %s\n" what)))

(defun t-wait (what pred &optional seconds)
  (let ((deadline (+ (float-time) (or seconds 20))))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (unless (funcall pred) (t-fail what))))

(defun t-pos (line)
  (save-excursion (goto-char (point-min)) (forward-line line) (point)))

(defun t-actions (line)
  "The code actions eglot asks for with point on LINE (0-based)."
  (let ((pos (eglot--pos-to-lsp-position (t-pos line))))
    (append (jsonrpc-request (eglot-current-server) :textDocument/codeAction
                             (list :textDocument (eglot--TextDocumentIdentifier)
                                   :range (list :start pos :end pos)
                                   :context (list :diagnostics [])))
            nil)))

(defun t-run (line title)
  "Runs the action called TITLE at LINE the way `eglot-code-actions' does."
  (let* ((action (seq-find (lambda (a) (equal (plist-get a :title) title)) (t-actions line)))
         (command (plist-get action :command))
         (started (float-time)))
    (unless action (t-fail (format "no action %S at line %d" title line)))
    (eglot-execute-command (eglot-current-server) (plist-get command :command)
                           (plist-get command :arguments))
    (- (float-time) started)))

(defun t-hints ()
  "The server's inlay hints for the whole buffer, as eglot's request would get them."
  (append (jsonrpc-request (eglot-current-server) :textDocument/inlayHint
                           (list :textDocument (eglot--TextDocumentIdentifier)
                                 :range (list :start (list :line 0 :character 0)
                                              :end (list :line 99 :character 0))))
          nil))

(defun t-wait-hint (line prefix)
  "Waits for a hint starting with PREFIX at the end of LINE (0-based)."
  (let ((end (save-excursion (goto-char (t-pos line)) (- (line-end-position) (line-beginning-position))))
        hints)
    (t-wait (format "an inlay hint %S at the end of line %d" prefix line)
            (lambda ()
              (setq hints (t-hints))
              (seq-find (lambda (h)
                          (let ((position (plist-get h :position)))
                            (and (string-prefix-p prefix (plist-get h :label))
                                 (= (plist-get position :line) line)
                                 (= (plist-get position :character) end))))
                        hints)))))

(defun t-shown (regexp)
  (seq-find (lambda (m) (string-match-p regexp m)) t-messages))

(find-file t-file)
(python-mode)
(apply #'eglot (eglot--guess-contact))
(t-wait "eglot connects" #'eglot-current-server)
(t-ok "eglot connected")

;; Diagnostics from the checker reach flymake (F401-like: unused import? time is used later)
(let ((titles (mapcar (lambda (a) (plist-get a :title)) (t-actions 5))))
  (unless (equal titles '("Run cell 2" "Run cell 2 and below" "Run the cells above cell 2"
                          "Interrupt the running cell"))
    (t-fail (format "code actions: %S" titles))))
(t-ok "run actions in the code-action menu")

(t-run 2 "Run cell 1")
(t-wait "cell 1 result shown" (lambda () (t-shown "asyncell: cell 1 ✓")))
(t-run 5 "Run cell 2")
(t-wait "cell 2 result shown" (lambda () (t-shown "asyncell: cell 2 → 42 · ")))
(t-ok (format "result shown: %s" (t-shown "cell 2 →")))

;; The result also as an inlay hint at the end of the cell's last line (eglot 1.9 does not
;; draw hints; the server serves them).
(t-wait-hint 5 "→ 42")
(t-ok "inlay hint → 42")

;; eglot 1.9 has no window/showDocument: "Show output" says where the output file is.
(t-run 5 "Show the output of cell 2")
(t-wait "output file named" (lambda () (t-shown "the output of cell 2 is in ")))
(let* ((message (t-shown "the output of cell 2 is in "))
       (path (and (string-match "the output of cell 2 is in \\(.*\\)$" message) (match-string 1 message))))
  (unless (and path (with-temp-buffer (insert-file-contents path) (search-forward "→ 42" nil t)))
    (t-fail (format "output file %S" path)))
  (t-ok (format "Show output names %s" (file-name-nondirectory path))))

(t-run 11 "Run cell 3")
(t-wait "failure diagnostic in flymake"
        (lambda ()
          (seq-find (lambda (d) (string-match-p "RuntimeError: boom" (flymake-diagnostic-text d)))
                    (flymake-diagnostics))))
(let ((d (seq-find (lambda (d) (string-match-p "RuntimeError" (flymake-diagnostic-text d)))
                   (flymake-diagnostics))))
  (unless (= (line-number-at-pos (flymake-diagnostic-beg d)) 10)
    (t-fail (format "diagnostic on line %d" (line-number-at-pos (flymake-diagnostic-beg d))))))
(t-wait "failure shown" (lambda () (t-shown "cell 3 failed: RuntimeError: boom")))
(t-ok "failure: flymake diagnostic on the raise line, message in the echo area")
(t-wait-hint 11 "✗ RuntimeError: boom")
(t-ok "inlay hint ✗ RuntimeError: boom after the failed cell's last line")

;; A 30 s cell: the command returns at once and Emacs keeps working.
(let ((took (t-run 14 "Run cell 4")))
  (when (> took 2) (t-fail (format "executeCommand took %.1f s" took)))
  (t-ok (format "30 s cell queued in %.2f s" took)))
(let ((started (float-time)))
  (t-actions 2)
  (when (> (- (float-time) started) 2) (t-fail "a request waited for the running cell")))
(t-ok "editor answers while the cell runs")
(condition-case err
    ;; What Helix's and eglot's command prompts send: the command, no arguments.
    (jsonrpc-request (eglot-current-server) :workspace/executeCommand
                     (list :command "asyncell.interrupt"))
  (error (t-fail (format "interrupt without arguments: %S" err))))
(t-wait "interrupt shown" (lambda () (t-shown "cell 4 was interrupted")))
(t-ok "interrupted (command without arguments)")
(t-wait-hint 15 "⊘ interrupted")
(t-ok "inlay hint ⊘ interrupted after the interrupted cell's last line")

;; A background task that fails after its cell finished is an error message.
(t-run 18 "Run cell 5")
(t-wait "failed task shown" (lambda () (t-shown "background task \"crasher\" (.*) failed: RuntimeError: task blew up")))
(t-ok "failed background task shown")

(when (t-shown "\\(^\\|[^/]\\)asyncell/\\(output\\|event\\)")  ; not the output file's path (…/cache/asyncell/output/…)
  (t-fail (format "an asyncell/* notification surfaced: %s" (t-shown "\\(^\\|[^/]\\)asyncell/\\(output\\|event\\)"))))
(t-ok "no asyncell/* notifications surfaced")
(let ((eglot-autoreconnect nil)) (ignore-errors (eglot-shutdown (eglot-current-server))))
(kill-emacs 0)
