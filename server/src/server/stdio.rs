//! The LSP channel's stdin and stdout as non-blocking file descriptors on the runtime's
//! own event loop.
//!
//! `tokio::io::stdin()`/`stdout()` do every read and write on the blocking thread pool:
//! each message in or out is a hand-off to another thread and back. Here fds 0 and 1 are
//! switched to `O_NONBLOCK` and registered with the runtime (`AsyncFd`), so the thread
//! that handles a message also reads and writes it. Their original flags come back when
//! the server is done. Where that can't be done (a regular file or `/dev/null` cannot be
//! registered with epoll), the tokio handles are used instead.

use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::unix::AsyncFd;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A borrowed standard fd, switched to non-blocking; restores its flags when dropped.
struct Fd {
    fd: RawFd,
    flags: libc::c_int,
}

impl AsRawFd for Fd {
    fn as_raw_fd(&self) -> RawFd {
        self.fd
    }
}

impl Drop for Fd {
    fn drop(&mut self) {
        // SAFETY: fcntl on a standard fd the process owns for its whole life.
        unsafe {
            libc::fcntl(self.fd, libc::F_SETFL, self.flags);
        }
    }
}

/// fd 0 or 1, non-blocking, driven by the runtime's event loop.
pub struct NonBlocking(AsyncFd<Fd>);

impl NonBlocking {
    fn new(fd: RawFd) -> io::Result<NonBlocking> {
        // SAFETY: fcntl on a standard fd; failures are reported, not assumed away.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
        if flags < 0 {
            return Err(io::Error::last_os_error());
        }
        if unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: fds 0 and 1 stay open for the life of the process and nothing else
        // replaces them. On failure the `Fd` is dropped, which puts the flags back.
        match unsafe { AsyncFd::register(Fd { fd, flags }) } {
            Ok(fd) => Ok(NonBlocking(fd)),
            Err(error) => Err(error.into_parts().1),
        }
    }
}

fn syscall(result: isize) -> io::Result<usize> {
    if result < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(result as usize)
    }
}

impl AsyncRead for NonBlocking {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            let mut guard = ready!(self.0.poll_read_ready(cx))?;
            // SAFETY: `read` only writes into the unfilled part, and `n` bytes of it are
            // initialised when it returns `n`.
            let unfilled = unsafe { buf.unfilled_mut() };
            let room = unfilled.len();
            let read = guard.try_io(|fd| {
                syscall(unsafe {
                    libc::read(fd.as_raw_fd(), unfilled.as_mut_ptr().cast(), unfilled.len())
                })
            });
            match read {
                Ok(Ok(n)) => {
                    unsafe { buf.assume_init(n) };
                    buf.advance(n);
                    if n > 0 && n < room {
                        // A short read emptied the pipe: wait for the next edge rather
                        // than find out with one more read (EAGAIN). Data that arrives
                        // after this read raises a new event, which this doesn't clear.
                        guard.clear_ready();
                    }
                    return Poll::Ready(Ok(()));
                }
                Ok(Err(error)) if error.kind() == io::ErrorKind::Interrupted => {}
                Ok(Err(error)) => return Poll::Ready(Err(error)),
                Err(_would_block) => {}
            }
        }
    }
}

impl AsyncWrite for NonBlocking {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        loop {
            let mut guard = ready!(self.0.poll_write_ready(cx))?;
            let written = guard.try_io(|fd| {
                // SAFETY: writes from a valid slice.
                syscall(unsafe { libc::write(fd.as_raw_fd(), data.as_ptr().cast(), data.len()) })
            });
            match written {
                Ok(Err(error)) if error.kind() == io::ErrorKind::Interrupted => {}
                Ok(result) => return Poll::Ready(result),
                Err(_would_block) => {}
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// The server's stdin: non-blocking if possible, else tokio's (blocking pool).
pub fn stdin() -> Pin<Box<dyn AsyncRead + Send>> {
    match NonBlocking::new(0) {
        Ok(fd) => Box::pin(fd),
        Err(error) => {
            tracing::debug!("stdin stays blocking ({error}): using tokio's stdin");
            Box::pin(tokio::io::stdin())
        }
    }
}

/// The server's stdout: non-blocking if possible, else tokio's (blocking pool).
pub fn stdout() -> Pin<Box<dyn AsyncWrite + Send>> {
    match NonBlocking::new(1) {
        Ok(fd) => Box::pin(fd),
        Err(error) => {
            tracing::debug!("stdout stays blocking ({error}): using tokio's stdout");
            Box::pin(tokio::io::stdout())
        }
    }
}
