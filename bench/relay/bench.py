#!/usr/bin/python3
"""Side-by-side benchmark of huizhen-relay and Janus's VideoRoom.

One publisher sends VP8 640x480 at 30 fps (about 1 Mbit/s) and Opus; N
receive-only subscribers count the RTP they get without decoding it. The
relay runs alone in a network namespace (hz-bench-relay) reached over a
veth pair, so both relays gather ICE candidates on the same non-loopback
address and all traffic stays inside this machine. After a warm-up the
script measures, over a fixed window:

  - the relay's CPU time (utime + stime from /proc/PID/stat), per second
    and per subscriber;
  - its resident memory and thread count, minus the values with the
    publisher alone, per subscriber;
  - RTP packets forwarded per second (received by all subscribers) and each
    subscriber's loss (packets-lost over expected, from webrtcbin's stats);
  - each subscriber's time from its join request to its first VP8 keyframe.

Prints one JSON object per run on stdout. Needs root (namespaces), Python
GObject bindings with GStreamer 1.22 (webrtcbin, libnice) and, for Janus,
Debian's janus package. See bench/relay/README.md.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstWebRTC", "1.0")
gi.require_version("GstSdp", "1.0")
gi.require_version("Soup", "3.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC, Soup  # noqa: E402

NAMESPACE = "hz-bench-relay"
HOST_DEVICE = "hzb0a"
NS_DEVICE = "hzb0b"
RELAY_ADDRESS = "10.213.254.1"
CLIENT_ADDRESS = "10.213.254.2"
ROOM = 1234
SESSION_ID = 1
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

PUBLISHER_PIPELINE = (
    "webrtcbin name=webrtc bundle-policy=max-bundle "
    "videotestsrc is-live=true pattern=smpte "
    "! video/x-raw,width=640,height=480,framerate=30/1 ! videoconvert "
    "! queue leaky=downstream max-size-buffers=5 max-size-bytes=0 max-size-time=0 "
    "! vp8enc deadline=1 target-bitrate=1000000 keyframe-max-dist=3000 "
    "! rtpvp8pay picture-id-mode=15-bit ssrc=11111111 "
    "! application/x-rtp,media=video,encoding-name=VP8,payload=96,ssrc=(uint)11111111 "
    "! webrtc. "
    "audiotestsrc is-live=true wave=sine freq=440 ! audioconvert ! audioresample "
    "! queue leaky=downstream max-size-buffers=5 max-size-bytes=0 max-size-time=0 "
    "! opusenc ! rtpopuspay ssrc=22222222 "
    "! application/x-rtp,media=audio,encoding-name=OPUS,payload=111,ssrc=(uint)22222222 "
    "! webrtc. "
)


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run(*argv, check=True):
    return subprocess.run(argv, check=check, capture_output=True, text=True)


# Network ---------------------------------------------------------------------


class Namespace:
    """The relay's network namespace and the veth pair to it."""

    def __enter__(self):
        # Left over by a run that was killed.
        run("ip", "netns", "del", NAMESPACE, check=False)
        run("ip", "link", "del", HOST_DEVICE, check=False)
        run("ip", "netns", "add", NAMESPACE)
        run("ip", "link", "add", HOST_DEVICE, "type", "veth", "peer", "name", NS_DEVICE)
        run("ip", "link", "set", NS_DEVICE, "netns", NAMESPACE)
        run("ip", "addr", "add", f"{CLIENT_ADDRESS}/30", "dev", HOST_DEVICE)
        run("ip", "link", "set", HOST_DEVICE, "up")
        run("ip", "-n", NAMESPACE, "addr", "add", f"{RELAY_ADDRESS}/30", "dev", NS_DEVICE)
        run("ip", "-n", NAMESPACE, "link", "set", NS_DEVICE, "up")
        run("ip", "-n", NAMESPACE, "link", "set", "lo", "up")
        return self

    def __exit__(self, *exc):
        run("ip", "netns", "del", NAMESPACE, check=False)
        run("ip", "link", "del", HOST_DEVICE, check=False)


# Relay processes ----------------------------------------------------------------


class RelayProcess:
    def __init__(self, argv, workdir, name):
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.log_file = open(self.log_path, "w")
        self.process = subprocess.Popen(
            ["ip", "netns", "exec", NAMESPACE] + argv,
            stdout=subprocess.PIPE, stderr=self.log_file, text=True, cwd=workdir)

    @property
    def pid(self):
        return self.process.pid

    def cpu_seconds(self):
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def status(self, key):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        raise KeyError(key)

    def sample(self):
        return {"cpu_s": self.cpu_seconds(), "rss_kib": self.status("VmRSS"),
                "threads": self.status("Threads"), "time": time.monotonic()}

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()


def huizhen_connection_limit():
    """Config lines that lift huizhen-relay's limits on WebSocket connections
    per address and on participants above the benchmark's subscribers, for
    the keys that the relay has."""
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "config",
                          "huizhen.conf")
    with open(source) as f:
        keys = f.read()
    lines = ""
    for key in ("max-connections-per-address", "max-room-participants", "max-participants"):
        if f"\n{key} =" in keys:
            lines += f"{key} = 1000\n"
    return lines


class Huizhen:
    def __init__(self, build_dir, workdir, send_threads):
        # send-threads = 0 gives each subscriber a webrtcbin of its own.
        self.name = "huizhen" if send_threads > 0 else "huizhen-webrtcbin"
        self.secret = os.urandom(32)
        secret_path = os.path.join(workdir, "token.secret")
        with open(secret_path, "wb") as f:
            f.write(self.secret)
        os.chmod(secret_path, 0o600)
        config = os.path.join(workdir, "huizhen.conf")
        with open(config, "w") as f:
            f.write(f"[scheduler]\ntoken-secret-file = {secret_path}\n"
                    f"[relay]\nlisten = {RELAY_ADDRESS}:0\ninterfaces = {RELAY_ADDRESS}\n"
                    f"recordings-dir = {workdir}/recordings\n"
                    f"send-threads = {send_threads}\n"
                    # Every subscriber comes from the one client address.
                    f"{huizhen_connection_limit()}"
                    # Reports go to a closed port on the relay's own loopback.
                    "scheduler-url = http://127.0.0.1:9\n")
        self.relay = RelayProcess([os.path.join(build_dir, "relay", "huizhen-relay"),
                                   "--config", config], workdir, "huizhen-relay")
        line = self.relay.process.stdout.readline()
        prefix = "huizhen-relay: listening on "
        if not line.startswith(prefix):
            raise RuntimeError(f"huizhen-relay did not start; see {self.relay.log_path}")
        self.url = line[len(prefix):].strip()

    def token(self, user_id, role):
        now = int(time.time())
        payload = (f"sid={SESSION_ID}&uid={user_id}&role={role}&nbf={now - 60}"
                   f"&exp={now + 3600}&name=bench{user_id}")
        encoded = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
        signed = "v1." + encoded
        key = hmac.new(self.secret, b"join-token", hashlib.sha256).digest()
        mac = hmac.new(key, signed.encode(), hashlib.sha256).digest()
        return signed + "." + base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def publisher_signaller(self, peer):
        return HuizhenSignaller(self, peer, 1, "publish", publisher=True)

    def subscriber_signaller(self, peer, index, publisher_signaller):
        return HuizhenSignaller(self, peer, 1000 + index, "view", publisher=False)


class Janus:
    name = "janus"

    def __init__(self, workdir, event_loops):
        self.name = "janus" if not event_loops else f"janus-event-loops-{event_loops}"
        configs = os.path.join(workdir, "janus-configs")
        os.makedirs(configs, exist_ok=True)
        lib = "/usr/lib/x86_64-linux-gnu/janus"
        loops = f"\tevent_loops = {event_loops}\n" if event_loops else ""
        with open(os.path.join(configs, "janus.jcfg"), "w") as f:
            f.write("general: {\n"
                    f"\tconfigs_folder = \"{configs}\"\n"
                    f"\tplugins_folder = \"{lib}/plugins\"\n"
                    f"\ttransports_folder = \"{lib}/transports\"\n"
                    f"\tevents_folder = \"{lib}/events\"\n"
                    f"\tloggers_folder = \"{lib}/loggers\"\n"
                    "\tdebug_level = 3\n"
                    f"{loops}"
                    "}\n"
                    "media: {\n\trtp_port_range = \"20000-40000\"\n}\n"
                    f"nat: {{\n\tice_enforce_list = \"{NS_DEVICE}\"\n}}\n"
                    "plugins: {\n\tdisable = \"libjanus_audiobridge.so,libjanus_echotest.so,"
                    "libjanus_recordplay.so,libjanus_sip.so,libjanus_nosip.so,"
                    "libjanus_streaming.so,libjanus_textroom.so,libjanus_videocall.so,"
                    "libjanus_voicemail.so,libjanus_lua.so,libjanus_duktape.so\"\n}\n"
                    "transports: {\n\tdisable = \"libjanus_websockets.so,libjanus_pfunix.so,"
                    "libjanus_mqtt.so,libjanus_nanomsg.so,libjanus_rabbitmq.so\"\n}\n"
                    "events: {\n\tbroadcast = false\n}\n")
        with open(os.path.join(configs, "janus.transport.http.jcfg"), "w") as f:
            f.write("general: {\n\tbase_path = \"/janus\"\n\thttp = true\n\tport = 8088\n"
                    f"\tip = \"{RELAY_ADDRESS}\"\n\thttps = false\n}}\n"
                    "admin: {\n\tadmin_http = false\n\tadmin_https = false\n}\n")
        with open(os.path.join(configs, "janus.plugin.videoroom.jcfg"), "w") as f:
            f.write(f"room-{ROOM}: {{\n\tdescription = \"bench\"\n\tpublishers = 1\n"
                    "\tbitrate = 0\n\tfir_freq = 10\n\tvideocodec = \"vp8\"\n"
                    "\taudiocodec = \"opus\"\n}\n")
        self.relay = RelayProcess(["janus", "-C", os.path.join(configs, "janus.jcfg"),
                                   "-F", configs], workdir, "janus")
        self.url = f"http://{RELAY_ADDRESS}:8088/janus"
        self.api = JanusApi(self.url)
        for _ in range(100):
            try:
                self.api.request(self.url, {"janus": "info"})
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"janus did not answer on {self.url}; see {self.relay.log_path}")
        self.api.start_session()

    def publisher_signaller(self, peer):
        return JanusSignaller(self, peer, None)

    def subscriber_signaller(self, peer, index, publisher_signaller):
        return JanusSignaller(self, peer, publisher_signaller)


# Signalling -----------------------------------------------------------------------


class HuizhenSignaller:
    """One participant on huizhen-relay's WebSocket (docs/signalling.md)."""

    def __init__(self, relay, peer, user_id, role, publisher):
        self.peer = peer
        self.publisher = publisher
        self.pc = "publish" if publisher else "sub:1"
        self.token = relay.token(user_id, role)
        self.session = Soup.Session()
        message = Soup.Message.new("GET", relay.url)
        self.session.websocket_connect_async(message, None, None, GLib.PRIORITY_DEFAULT, None,
                                             self.on_connected)
        self.websocket = None

    def on_connected(self, session, result):
        self.websocket = session.websocket_connect_finish(result)
        self.websocket.set_max_incoming_payload_size(1 << 20)
        self.websocket.connect("message", self.on_message)
        self.send({"type": "join", "session_id": SESSION_ID, "token": self.token})
        self.peer.join_sent = time.monotonic()

    def send(self, message):
        self.websocket.send_text(json.dumps(message))

    def on_message(self, websocket, kind, data):
        message = json.loads(data.get_data().decode())
        kind = message.get("type")
        if kind == "joined" and self.publisher:
            self.peer.start_offer()
        elif kind == "answer":
            self.peer.set_remote("answer", message["sdp"])
        elif kind == "offer" and message.get("pc") == self.pc:
            self.peer.set_remote("offer", message["sdp"])
        elif kind == "candidate" and message.get("pc") == self.pc and message["candidate"]:
            self.peer.add_candidate(message["sdpMLineIndex"], message["candidate"])
        elif kind == "error":
            log(f"relay error for {self.pc}: {message}")

    def send_description(self, kind, sdp):
        self.send({"type": kind, "pc": self.pc, "sdp": sdp})

    def send_candidate(self, mline, candidate):
        self.send({"type": "candidate", "pc": self.pc, "candidate": candidate,
                   "sdpMLineIndex": mline})

    def close(self):
        if self.websocket is not None and self.websocket.get_state() == Soup.WebsocketState.OPEN:
            self.send({"type": "leave"})


class JanusApi:
    """Janus's HTTP API: one session, long polling in a thread, events
    handed to the main loop by handle id."""

    def __init__(self, url):
        self.url = url
        self.handles = {}
        self.session_id = None
        self.stopping = False

    def request(self, url, body):
        body = dict(body, transaction=str(random.getrandbits(48)))
        data = json.dumps(body).encode()
        request = urllib.request.Request(url, data=data,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def start_session(self):
        reply = self.request(self.url, {"janus": "create"})
        self.session_id = reply["data"]["id"]
        self.session_url = f"{self.url}/{self.session_id}"
        threading.Thread(target=self.poll, daemon=True).start()
        GLib.timeout_add_seconds(20, self.keepalive)

    def keepalive(self):
        if not self.stopping:
            threading.Thread(target=self.request, args=(self.session_url, {"janus": "keepalive"}),
                             daemon=True).start()
        return not self.stopping

    def attach(self, signaller):
        reply = self.request(self.session_url,
                             {"janus": "attach", "plugin": "janus.plugin.videoroom"})
        handle = reply["data"]["id"]
        self.handles[handle] = signaller
        return handle

    def poll(self):
        while not self.stopping:
            try:
                with urllib.request.urlopen(f"{self.session_url}?maxev=50", timeout=60) as r:
                    events = json.loads(r.read())
            except OSError:
                continue
            for event in events if isinstance(events, list) else [events]:
                signaller = self.handles.get(event.get("sender"))
                if signaller is not None:
                    GLib.idle_add(signaller.on_event, event)

    def post(self, handle, body):
        """Sends BODY to HANDLE from a worker thread."""
        url = f"{self.session_url}/{handle}"
        threading.Thread(target=self.request, args=(url, body), daemon=True).start()


class JanusSignaller:
    def __init__(self, janus, peer, publisher_signaller):
        self.api = janus.api
        self.peer = peer
        self.publisher = publisher_signaller is None
        self.feed_id = None
        self.handle = self.api.attach(self)
        if self.publisher:
            GLib.idle_add(peer.start_offer)
        else:
            self.peer.join_sent = time.monotonic()
            self.api.post(self.handle, {
                "janus": "message",
                "body": {"request": "join", "ptype": "subscriber", "room": ROOM,
                         "streams": [{"feed": publisher_signaller.feed_id}]}})

    def on_event(self, event):
        data = event.get("plugindata", {}).get("data", {})
        if data.get("videoroom") == "joined":
            self.feed_id = data["id"]
        jsep = event.get("jsep")
        if jsep is not None:
            self.peer.set_remote(jsep["type"], jsep["sdp"])
        if event.get("janus") == "trickle":
            candidate = event.get("candidate", {})
            if candidate.get("candidate"):
                self.peer.add_candidate(candidate.get("sdpMLineIndex", 0), candidate["candidate"])
        return False

    def send_description(self, kind, sdp):
        if kind == "offer":
            body = {"request": "joinandconfigure", "ptype": "publisher", "room": ROOM,
                    "display": "bench", "audio": True, "video": True}
        else:
            body = {"request": "start", "room": ROOM}
        self.api.post(self.handle, {"janus": "message", "body": body,
                                    "jsep": {"type": kind, "sdp": sdp}})

    def send_candidate(self, mline, candidate):
        self.api.post(self.handle, {"janus": "trickle",
                                    "candidate": {"sdpMLineIndex": mline, "candidate": candidate}})

    def close(self):
        pass


# Peers ---------------------------------------------------------------------------------


# webrtcbin 1.22 keeps its ICE object floating, so PyGObject sinks it on the
# first property read and unrefs it with the Python wrapper. Keeping the
# wrappers for the life of the process keeps webrtcbin's object alive.
ICE_AGENTS = []


def configure_ice(webrtc):
    ice = webrtc.get_property("ice-agent")
    ICE_AGENTS.append(ice)
    ice.get_property("agent").set_property("upnp", False)
    ice.emit("add-local-ip-address", CLIENT_ADDRESS)


def is_vp8_keyframe(payload):
    """Whether an RTP payload (RFC 7741) starts a VP8 keyframe."""
    if len(payload) < 2:
        return False
    first = payload[0]
    start, partition = first & 0x10, first & 0x07
    offset = 1
    if first & 0x80:
        extension = payload[1]
        offset = 2
        if extension & 0x80:
            offset += 2 if payload[offset] & 0x80 else 1
        if extension & 0x40:
            offset += 1
        if extension & 0x30:
            offset += 1
    return bool(start) and partition == 0 and offset < len(payload) and not payload[offset] & 0x01


class Peer:
    def __init__(self, pipeline_description=None):
        if pipeline_description:
            self.pipeline = Gst.parse_launch(pipeline_description)
            self.webrtc = self.pipeline.get_by_name("webrtc")
        else:
            self.pipeline = Gst.Pipeline.new()
            self.webrtc = Gst.ElementFactory.make("webrtcbin", "webrtc")
            self.webrtc.set_property("bundle-policy", GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
            self.pipeline.add(self.webrtc)
        configure_ice(self.webrtc)
        self.signaller = None
        self.join_sent = None
        self.first_keyframe = None
        self.connected = False
        self.webrtc.connect("on-ice-candidate", self.on_ice_candidate)
        self.webrtc.connect("pad-added", self.on_pad_added)
        self.webrtc.connect("notify::connection-state", self.on_state)
        self.pipeline.set_state(Gst.State.PLAYING)

    def on_state(self, webrtc, pspec):
        if webrtc.get_property("connection-state") == GstWebRTC.WebRTCPeerConnectionState.CONNECTED:
            self.connected = True

    def on_ice_candidate(self, webrtc, mline, candidate):
        GLib.idle_add(self.signaller.send_candidate, mline, candidate)

    def start_offer(self):
        for pad in self.webrtc.sinkpads:
            pad.get_property("transceiver").set_property(
                "direction", GstWebRTC.WebRTCRTPTransceiverDirection.SENDONLY)
        promise = Gst.Promise.new_with_change_func(self.on_description, "offer")
        self.webrtc.emit("create-offer", None, promise)
        return False

    def on_description(self, promise, kind):
        reply = promise.get_reply()
        description = reply.get_value(kind)
        self.webrtc.emit("set-local-description", description, Gst.Promise.new())
        GLib.idle_add(self.signaller.send_description, kind, description.sdp.as_text())

    def set_remote(self, kind, text):
        _, sdp = GstSdp.SDPMessage.new_from_text(text)
        sdp_type = GstWebRTC.WebRTCSDPType.OFFER if kind == "offer" else GstWebRTC.WebRTCSDPType.ANSWER
        description = GstWebRTC.WebRTCSessionDescription.new(sdp_type, sdp)
        if kind == "offer":
            promise = Gst.Promise.new_with_change_func(self.on_remote_offer_set, None)
        else:
            promise = Gst.Promise.new()
        self.webrtc.emit("set-remote-description", description, promise)

    def on_remote_offer_set(self, promise, data):
        answer = Gst.Promise.new_with_change_func(self.on_description, "answer")
        self.webrtc.emit("create-answer", None, answer)

    def add_candidate(self, mline, candidate):
        self.webrtc.emit("add-ice-candidate", mline, candidate)

    def on_pad_added(self, webrtc, pad):
        if pad.get_direction() != Gst.PadDirection.SRC:
            return
        sink = Gst.ElementFactory.make("fakesink")
        sink.set_property("sync", False)
        sink.set_property("async", False)
        self.pipeline.add(sink)
        sink.sync_state_with_parent()
        pad.link(sink.get_static_pad("sink"))
        caps = pad.get_current_caps() or pad.query_caps(None)
        if caps.get_structure(0).get_string("media") == "video":
            pad.add_probe(Gst.PadProbeType.BUFFER, self.on_video_buffer)

    def on_video_buffer(self, pad, info):
        """Streaming thread: until the first keyframe arrives."""
        buffer = info.get_buffer()
        ok, mapped = buffer.map(Gst.MapFlags.READ)
        if not ok:
            return Gst.PadProbeReturn.OK
        data = bytes(mapped.data)
        buffer.unmap(mapped)
        header = 12 + 4 * (data[0] & 0x0F) if len(data) > 12 else len(data)
        if data[0] & 0x10 and len(data) > header + 4:
            header += 4 + 4 * int.from_bytes(data[header + 2:header + 4], "big")
        if is_vp8_keyframe(data[header:]):
            self.first_keyframe = time.monotonic()
            return Gst.PadProbeReturn.REMOVE
        return Gst.PadProbeReturn.OK

    def outbound_packets(self):
        """Sums packets sent over the outbound RTP streams."""
        promise = Gst.Promise.new()
        self.webrtc.emit("get-stats", None, promise)
        promise.wait()
        reply = promise.get_reply()
        totals = {"packets": 0}

        def visit(field_id, value, totals):
            if isinstance(value, Gst.Structure) and \
                    int(value.get_value("type")) == int(GstWebRTC.WebRTCStatsType.OUTBOUND_RTP):
                totals["packets"] += value.get_value("packets-sent") or 0
            return True

        if reply is not None:
            reply.foreach(visit, totals)
        return totals["packets"]

    def inbound_stats(self):
        """Sums packets received and lost over the inbound RTP streams."""
        promise = Gst.Promise.new()
        self.webrtc.emit("get-stats", None, promise)
        promise.wait()
        reply = promise.get_reply()
        totals = {"packets": 0, "bytes": 0, "lost": 0}

        def visit(field_id, value, totals):
            if isinstance(value, Gst.Structure) and \
                    int(value.get_value("type")) == int(GstWebRTC.WebRTCStatsType.INBOUND_RTP):
                totals["packets"] += value.get_value("packets-received") or 0
                totals["bytes"] += value.get_value("bytes-received") or 0
                totals["lost"] += max(value.get_value("packets-lost") or 0, 0)
            return True

        if reply is not None:
            reply.foreach(visit, totals)
        return totals

    def close(self):
        if self.signaller is not None:
            self.signaller.close()
        self.pipeline.set_state(Gst.State.NULL)


# Run -------------------------------------------------------------------------------------


def iterate(loop_context, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        loop_context.iteration(False)
        time.sleep(0.005)


def wait_for(loop_context, condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        loop_context.iteration(False)
        time.sleep(0.005)
    return condition()


def measure(args, relay):
    context = GLib.MainContext.default()
    process = relay.relay
    iterate(context, 1)
    idle = process.sample()

    publisher = Peer(PUBLISHER_PIPELINE)
    publisher.signaller = relay.publisher_signaller(publisher)
    if not wait_for(context, lambda: publisher.connected, 20):
        raise RuntimeError("the publisher did not connect")
    if isinstance(relay, Janus) and not wait_for(
            context, lambda: publisher.signaller.feed_id is not None, 10):
        raise RuntimeError("Janus did not confirm the publisher")
    publisher_start = process.sample()
    iterate(context, 3)
    with_publisher = process.sample()
    publisher_cpu = ((with_publisher["cpu_s"] - publisher_start["cpu_s"])
                     / (with_publisher["time"] - publisher_start["time"]))

    subscribers = []
    for index in range(args.subscribers):
        peer = Peer()
        peer.signaller = relay.subscriber_signaller(peer, index, publisher.signaller)
        subscribers.append(peer)
        iterate(context, args.join_interval)
    all_keyframes = wait_for(context, lambda: all(p.first_keyframe for p in subscribers), 60)
    iterate(context, args.warmup)

    before = [p.inbound_stats() for p in subscribers]
    published_before = publisher.outbound_packets()
    load_before = os.getloadavg()[0]
    start = process.sample()
    iterate(context, args.window)
    end = process.sample()
    after = [p.inbound_stats() for p in subscribers]
    published = publisher.outbound_packets() - published_before

    elapsed = end["time"] - start["time"]
    n = args.subscribers
    received = [a["packets"] - b["packets"] for a, b in zip(after, before)]
    lost = [a["lost"] - b["lost"] for a, b in zip(after, before)]
    losses = [ls / (r + ls) if r + ls > 0 else 1.0 for r, ls in zip(received, lost)]
    keyframe_ms = [1000 * (p.first_keyframe - p.join_sent) for p in subscribers
                   if p.first_keyframe and p.join_sent]
    result = {
        "relay": relay.name,
        "subscribers": n,
        "window_s": round(elapsed, 2),
        "cpu_ms_per_s": round(1000 * (end["cpu_s"] - start["cpu_s"]) / elapsed, 1),
        "cpu_ms_per_s_per_subscriber": round(1000 * (end["cpu_s"] - start["cpu_s"]) / elapsed / n, 2),
        "cpu_ms_per_s_publisher_only": round(1000 * publisher_cpu, 1),
        "cpu_ms_per_s_per_subscriber_marginal": round(
            (1000 * (end["cpu_s"] - start["cpu_s"]) / elapsed - 1000 * publisher_cpu) / n, 2),
        "rss_kib_idle": idle["rss_kib"],
        "rss_kib_publisher": with_publisher["rss_kib"],
        "rss_kib": end["rss_kib"],
        "rss_kib_per_subscriber": round((end["rss_kib"] - with_publisher["rss_kib"]) / n, 1),
        "threads_publisher": with_publisher["threads"],
        "threads": end["threads"],
        "threads_per_subscriber": round((end["threads"] - with_publisher["threads"]) / n, 2),
        "packets_forwarded_per_s": round(sum(received) / elapsed, 1),
        # What the publisher sent: a client process short of CPU sends less.
        "packets_published_per_s": round(published / elapsed, 1),
        "loss_max": round(max(losses), 4),
        "loss_median": round(statistics.median(losses), 4),
        "subscribers_without_packets": sum(1 for r in received if r == 0),
        "all_got_keyframe": all_keyframes,
        "first_keyframe_ms_median": round(statistics.median(keyframe_ms), 1) if keyframe_ms else None,
        "first_keyframe_ms_max": round(max(keyframe_ms), 1) if keyframe_ms else None,
        # The machine's 1-minute load average before and after the window:
        # other work on the same cores skews every number above.
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    for peer in subscribers:
        peer.close()
    publisher.close()
    iterate(context, 1)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--relay", choices=["huizhen", "janus"], required=True)
    parser.add_argument("--subscribers", type=int, default=10, help="number of subscribers N")
    parser.add_argument("--window", type=float, default=20, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=5,
                        help="seconds after the last keyframe arrived before measuring")
    parser.add_argument("--join-interval", type=float, default=0.05,
                        help="seconds between subscriber joins")
    parser.add_argument("--janus-event-loops", type=int, default=0,
                        help="Janus event_loops (0: one loop per handle, Janus's default)")
    parser.add_argument("--send-threads", type=int, default=2,
                        help="huizhen-relay's [relay] send-threads (0: a webrtcbin per subscriber)")
    parser.add_argument("--build-dir", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                            "build-bench"))
    parser.add_argument("--keep", action="store_true", help="keep the work directory and logs")
    args = parser.parse_args()

    if os.geteuid() != 0:
        sys.exit("bench: needs root for the network namespace")
    Gst.init(None)
    workdir = tempfile.mkdtemp(prefix="hz-bench-")
    relay = None
    try:
        with Namespace():
            if args.relay == "huizhen":
                relay = Huizhen(os.path.abspath(args.build_dir), workdir, args.send_threads)
            else:
                relay = Janus(workdir, args.janus_event_loops)
            result = measure(args, relay)
            print(json.dumps(result), flush=True)
    finally:
        if relay is not None:
            if isinstance(relay, Janus):
                relay.api.stopping = True
            relay.relay.stop()
        if args.keep:
            log(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
    # Skip the finalizers of the kept ICE wrappers (see ICE_AGENTS).
    sys.stdout.flush()
    os._exit(0)
