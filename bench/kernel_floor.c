/* The floor of the `1+1` round trip, in C: bench/kernel_floor.py without Python.
 *
 *     cc -O2 -o kernel_floor bench/kernel_floor.c LIBZMQ.so -lcrypto -lpthread
 *     ./kernel_floor -f CONNECTION_FILE
 *
 * bench/kernel_vs_ipykernel.py --floor builds it against the libzmq that pyzmq carries
 * (the same libzmq as jupyter_client's and ipykernel's; no zmq.h needed: the few calls
 * are declared below) and OpenSSL's HMAC. Like the Python floor it answers
 * kernel_info_request and, for every execute_request, sends exactly the messages
 * asyncell's kernel sends for `1+1` (status busy, execute_input, execute_result
 * "2", execute_reply, status idle; HMAC-SHA256 signed, the request's header frame
 * reused as parent) without executing anything; a message with a bad signature is
 * dropped. The Python floor's process takes about 0.25 ms of CPU per round trip,
 * on the round trip's path; this one 0.12 ms, nearly all libzmq's I/O thread and
 * system calls, so what remains is jupyter_client's own work and the OS. */
#define _GNU_SOURCE
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct { unsigned char _[64]; } __attribute__((aligned(8))) zmq_msg_t;
typedef struct { void *socket; int fd; short events; short revents; } zmq_pollitem_t;
void *zmq_ctx_new(void);
void *zmq_socket(void *, int);
int zmq_bind(void *, const char *);
int zmq_send(void *, const void *, size_t, int);
int zmq_msg_init(zmq_msg_t *);
int zmq_msg_recv(zmq_msg_t *, void *, int);
void *zmq_msg_data(zmq_msg_t *);
size_t zmq_msg_size(const zmq_msg_t *);
int zmq_msg_more(const zmq_msg_t *);
int zmq_msg_close(zmq_msg_t *);
int zmq_poll(zmq_pollitem_t *, int, long);
int zmq_proxy(void *, void *, void *);
enum { ZMQ_PUB = 1, ZMQ_REP = 4, ZMQ_ROUTER = 6, ZMQ_SNDMORE = 2, ZMQ_POLLIN = 1 };

#define MAX_FRAMES 32
#define MAX_FRAME (1 << 20)

static char key[512];
static size_t key_len;
static char session[64];
static unsigned long ids;
static void *iopub;

/* The value of "name" in a flat JSON object: a string token (quotes included) or a number. */
static int json_token(const char *json, size_t len, const char *name, const char **start, size_t *size) {
    char needle[64];
    snprintf(needle, sizeof needle, "\"%s\"", name);
    const char *at = memmem(json, len, needle, strlen(needle));
    if (!at) return 0;
    const char *p = at + strlen(needle), *end = json + len;
    while (p < end && (*p == ' ' || *p == ':' || *p == '\n' || *p == '\t')) p++;
    const char *q = p;
    if (q < end && *q == '"') {
        for (q++; q < end && *q != '"'; q++)
            if (*q == '\\') q++;
        q++;
    } else {
        while (q < end && *q != ',' && *q != '}' && *q != ' ' && *q != '\n') q++;
    }
    if (q > end) return 0;
    *start = p;
    *size = (size_t)(q - p);
    return 1;
}

static void sign(const char *parts[4], const size_t sizes[4], char hex[65]) {
    static char buffer[4 * MAX_FRAME];
    size_t used = 0;
    for (int i = 0; i < 4; i++) {
        memcpy(buffer + used, parts[i], sizes[i]);
        used += sizes[i];
    }
    unsigned char digest[32];
    unsigned int digest_len = 0;
    HMAC(EVP_sha256(), key, (int)key_len, (unsigned char *)buffer, used, digest, &digest_len);
    for (int i = 0; i < 32; i++) sprintf(hex + 2 * i, "%02x", digest[i]);
    hex[64] = 0;
}

/* Sends [prefix frames...] <IDS|MSG> signature header parent {} content. */
static void send_message(void *socket, const char **prefix, const size_t *prefix_sizes, int prefixes,
                         const char *msg_type, const char *parent, size_t parent_size,
                         const char *content) {
    char header[512], date[64], hex[65];
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    size_t n = strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(date + n, sizeof date - n, ".%06ldZ", now.tv_nsec / 1000);
    int header_size = snprintf(header, sizeof header,
                               "{\"msg_id\":\"%s_%lu\",\"username\":\"floor\",\"session\":\"%s\","
                               "\"date\":\"%s\",\"msg_type\":\"%s\",\"version\":\"5.3\"}",
                               session, ++ids, session, date, msg_type);
    const char *parts[4] = {header, parent, "{}", content};
    size_t sizes[4] = {(size_t)header_size, parent_size, 2, strlen(content)};
    sign(parts, sizes, hex);
    for (int i = 0; i < prefixes; i++) zmq_send(socket, prefix[i], prefix_sizes[i], ZMQ_SNDMORE);
    zmq_send(socket, "<IDS|MSG>", 9, ZMQ_SNDMORE);
    zmq_send(socket, hex, key_len ? 64 : 0, ZMQ_SNDMORE);
    for (int i = 0; i < 4; i++) zmq_send(socket, parts[i], sizes[i], i == 3 ? 0 : ZMQ_SNDMORE);
}

static void publish(const char *msg_type, const char *parent, size_t parent_size, const char *content) {
    char topic[64];
    const char *prefix[1] = {topic};
    size_t size = (size_t)snprintf(topic, sizeof topic, "kernel.%s", msg_type);
    send_message(iopub, prefix, &size, 1, msg_type, parent, parent_size, content);
}

static void *heartbeat(void *socket) {
    zmq_proxy(socket, socket, NULL);
    return NULL;
}

static void *bound(void *context, int type, const char *transport, const char *ip, const char *port) {
    char url[256];
    snprintf(url, sizeof url, "%s://%s:%s", transport, ip, port);
    void *socket = zmq_socket(context, type);
    if (zmq_bind(socket, url) != 0) {
        fprintf(stderr, "kernel_floor: cannot bind %s\n", url);
        exit(2);
    }
    return socket;
}

int main(int argc, char **argv) {
    if (argc != 3 || strcmp(argv[1], "-f") != 0) {
        fprintf(stderr, "usage: kernel_floor -f CONNECTION_FILE\n");
        return 2;
    }
    FILE *file = fopen(argv[2], "r");
    if (!file) return 2;
    static char info[65536];
    size_t info_len = fread(info, 1, sizeof info - 1, file);
    fclose(file);
    const char *token;
    size_t size;
    char fields[7][256];
    const char *names[7] = {"transport", "ip", "key", "shell_port", "control_port", "iopub_port", "stdin_port"};
    for (int i = 0; i < 7; i++) {
        if (!json_token(info, info_len, names[i], &token, &size) || size >= 256) return 2;
        if (*token == '"') token++, size -= 2;
        memcpy(fields[i], token, size);
        fields[i][size] = 0;
    }
    char hb_port[256];
    if (!json_token(info, info_len, "hb_port", &token, &size) || size >= 256) return 2;
    memcpy(hb_port, token, size);
    hb_port[size] = 0;
    memcpy(key, fields[2], strlen(fields[2]));
    key_len = strlen(fields[2]);
    snprintf(session, sizeof session, "floor-c-%x", (unsigned)getpid());

    void *context = zmq_ctx_new();
    void *shell = bound(context, ZMQ_ROUTER, fields[0], fields[1], fields[3]);
    void *control = bound(context, ZMQ_ROUTER, fields[0], fields[1], fields[4]);
    iopub = bound(context, ZMQ_PUB, fields[0], fields[1], fields[5]);
    bound(context, ZMQ_ROUTER, fields[0], fields[1], fields[6]);
    void *hb = bound(context, ZMQ_REP, fields[0], fields[1], hb_port);
    pthread_t thread;
    pthread_create(&thread, NULL, heartbeat, hb);

    static char frames[MAX_FRAMES][MAX_FRAME];
    size_t sizes[MAX_FRAMES];
    unsigned long count = 0;
    static char content[2 * MAX_FRAME];
    zmq_pollitem_t items[2] = {{shell, 0, ZMQ_POLLIN, 0}, {control, 0, ZMQ_POLLIN, 0}};
    for (;;) {
        if (zmq_poll(items, 2, -1) < 0) continue;
        for (int k = 0; k < 2; k++) {
            if (!(items[k].revents & ZMQ_POLLIN)) continue;
            void *socket = items[k].socket;
            int n = 0, more = 1;
            while (more) {
                zmq_msg_t msg;
                zmq_msg_init(&msg);
                if (zmq_msg_recv(&msg, socket, 0) < 0) break;
                more = zmq_msg_more(&msg);
                if (n < MAX_FRAMES && zmq_msg_size(&msg) <= MAX_FRAME) {
                    sizes[n] = zmq_msg_size(&msg);
                    memcpy(frames[n++], zmq_msg_data(&msg), zmq_msg_size(&msg));
                }
                zmq_msg_close(&msg);
            }
            int delim = -1;
            for (int i = 0; i < n; i++)
                if (sizes[i] == 9 && memcmp(frames[i], "<IDS|MSG>", 9) == 0) { delim = i; break; }
            if (delim < 0 || n < delim + 6) continue;
            const char *parts[4];
            for (int i = 0; i < 4; i++) parts[i] = frames[delim + 2 + i];
            if (key_len) {
                char hex[65];
                sign(parts, sizes + delim + 2, hex);
                if (sizes[delim + 1] != 64 || memcmp(hex, frames[delim + 1], 64) != 0) continue;
            }
            const char *prefix[MAX_FRAMES];
            for (int i = 0; i < delim; i++) prefix[i] = frames[i];
            const char *header = frames[delim + 2];
            size_t header_size = sizes[delim + 2];
            char msg_type[128], reply_type[128];
            if (!json_token(header, header_size, "msg_type", &token, &size) || size < 2 || size > 100) continue;
            memcpy(msg_type, token + 1, size - 2);
            msg_type[size - 2] = 0;
            char *suffix = strstr(msg_type, "_request");
            snprintf(reply_type, sizeof reply_type, "%.*s_reply",
                     (int)(suffix ? (size_t)(suffix - msg_type) : strlen(msg_type)), msg_type);
            if (strcmp(msg_type, "execute_request") == 0) {
                count++;
                const char *code = "\"\"";
                size_t code_size = 2;
                json_token(frames[delim + 5], sizes[delim + 5], "code", &code, &code_size);
                publish("status", header, header_size, "{\"execution_state\":\"busy\"}");
                snprintf(content, sizeof content, "{\"code\":%.*s,\"execution_count\":%lu}",
                         (int)code_size, code, count);
                publish("execute_input", header, header_size, content);
                snprintf(content, sizeof content,
                         "{\"data\":{\"text/plain\":\"2\"},\"metadata\":{},\"execution_count\":%lu}", count);
                publish("execute_result", header, header_size, content);
                snprintf(content, sizeof content,
                         "{\"status\":\"ok\",\"execution_count\":%lu,\"user_expressions\":{},\"payload\":[]}",
                         count);
                send_message(socket, prefix, sizes, delim, reply_type, header, header_size, content);
                publish("status", header, header_size, "{\"execution_state\":\"idle\"}");
                continue;
            }
            publish("status", header, header_size, "{\"execution_state\":\"busy\"}");
            if (strcmp(msg_type, "kernel_info_request") == 0)
                snprintf(content, sizeof content,
                         "{\"status\":\"ok\",\"protocol_version\":\"5.3\",\"implementation\":\"floor-c\","
                         "\"implementation_version\":\"0\",\"banner\":\"the round trip's floor\","
                         "\"language_info\":{\"name\":\"python\",\"version\":\"3\",\"mimetype\":"
                         "\"text/x-python\",\"file_extension\":\".py\"},\"help_links\":[],\"debugger\":false}");
            else
                snprintf(content, sizeof content, "{\"status\":\"ok\"}");
            send_message(socket, prefix, sizes, delim, reply_type, header, header_size, content);
            publish("status", header, header_size, "{\"execution_state\":\"idle\"}");
            if (strcmp(msg_type, "shutdown_request") == 0) return 0;
        }
    }
}
