"""Several threads printing at once into the lock-free pending list (sink.py): nothing
is lost, nothing is duplicated, and each thread's lines keep their order."""

import collections


def test_threads_printing_at_once_lose_nothing_and_keep_their_order(trio_host):
    result = trio_host.run(
        "import threading, sys\n"
        "def spam(tag, stream):\n"
        "    for i in range(20000):\n"
        "        stream.write('%s %d\\n' % (tag, i))  # one write: print() makes four\n"
        "threads = [threading.Thread(target=spam, args=('t%d' % n, sys.stderr if n % 2 else sys.stdout))\n"
        "           for n in range(4)]\n"
        "for t in threads: t.start()\n"
        "spam('main', sys.stdout)\n"
        "for t in threads: t.join()\n",
        timeout=60,
    )
    assert result.status == "ok"
    seen = collections.defaultdict(list)
    for name in ("stdout", "stderr"):
        for line in result.stream(name).splitlines():
            tag, number = line.split()
            seen[(name, tag)].append(int(number))
    expected = {("stdout", "main"), ("stdout", "t0"), ("stderr", "t1"), ("stdout", "t2"), ("stderr", "t3")}
    assert set(seen) == expected
    for key, numbers in seen.items():
        assert numbers == list(range(20000)), key
