;;; lsp_mode.el --- asyncell with Emacs's lsp-mode (Debian's elpa-lsp-mode), no asyncell
;;; code: runs cells through code actions and checks that no warning pops up (lsp-mode
;;; warns on every notification it does not know). Run with
;;; ASYNCELL_BIN=... ASYNCELL_PYTHON=... WORKDIR=... emacs --batch -l lsp_mode.el

(require 'package)
(package-initialize)
(require 'python)
(require 'lsp-mode)

(defvar t-bin (getenv "ASYNCELL_BIN"))
(defvar t-python (getenv "ASYNCELL_PYTHON"))
(defvar t-dir (file-name-as-directory (getenv "WORKDIR")))
(defvar t-messages nil)

(advice-add 'message :before
            (lambda (fmt &rest args)
              (when fmt (push (apply #'format-message fmt args) t-messages))))
(defun t-fail (what) (princ (format "\nFAIL: %s\n" what)) (kill-emacs 1))
(defun t-ok (what) (princ (format "\nok: %s\n" what)))
(defun t-wait (what pred &optional seconds)
  (let ((deadline (+ (float-time) (or seconds 30))))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (unless (funcall pred) (t-fail what))))
(defun t-shown (regexp) (seq-find (lambda (m) (string-match-p regexp m)) t-messages))

(setq lsp-session-file (expand-file-name "lsp-session" t-dir)
      lsp-auto-guess-root nil
      lsp-enable-file-watchers nil
      lsp-restart 'ignore
      lsp-enable-suggest-server-download nil
      lsp-keep-workspace-alive nil)
(lsp-register-client
 (make-lsp-client :new-connection (lsp-stdio-connection (list t-bin))
                  :activation-fn (lsp-activate-on "python")
                  :initialization-options (list :python t-python)
                  :priority 10
                  :server-id 'asyncell))
(setq lsp-disabled-clients '(pyls pylsp mspyls pyright jedi ruff-lsp semgrep-ls))

(find-file (expand-file-name "cells.py" t-dir))
(python-mode)
(lsp-workspace-folders-add t-dir)
(lsp)
(t-wait "lsp-mode connects" (lambda () (and (lsp-workspaces)
                                            (eq (lsp--workspace-status (car (lsp-workspaces))) 'initialized))))
(t-ok "lsp-mode connected")

(defun t-run (line title)
  (goto-char (point-min)) (forward-line line)
  (let* ((actions (lsp-code-actions-at-point))
         (action (seq-find (lambda (a) (equal (lsp:code-action-title a) title)) actions)))
    (unless action (t-fail (format "no action %S" title)))
    (lsp-execute-code-action action)))

(t-run 2 "Run cell 1")
(t-run 5 "Run cell 2")
(t-wait "cell 2 result shown" (lambda () (t-shown "cell 2 → 42")))
(t-ok (format "result shown: %s" (t-shown "cell 2 →")))
(t-run 11 "Run cell 3")
(t-wait "failure shown" (lambda () (t-shown "cell 3 failed: RuntimeError: boom")))
(t-ok "failure shown")
(let ((warnings (get-buffer "*Warnings*")))
  (when (and warnings (with-current-buffer warnings (string-match-p "asyncell\\|Unknown notification" (buffer-string))))
    (t-fail (with-current-buffer warnings (buffer-string)))))
(when (t-shown "Unknown notification") (t-fail (t-shown "Unknown notification")))
(t-ok "no *Warnings* from our notifications")
(kill-emacs 0)
