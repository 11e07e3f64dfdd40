// The /api/live websocket: {topic, at, data} updates, reconnecting with back-off.
// Each update gets `receivedAt` (performance.now()) so a page can show how fresh it is.

export function connectLive(onUpdate, onStatus = () => {}) {
  let delay = 500;
  let socket;
  const open = () => {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${location.host}/api/live`);
    socket.addEventListener("open", () => {
      delay = 500;
      onStatus(true);
    });
    socket.addEventListener("message", (event) => {
      const update = JSON.parse(event.data);
      update.receivedAt = performance.now();
      onUpdate(update);
    });
    socket.addEventListener("close", () => {
      onStatus(false);
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 10000);
    });
  };
  open();
  return () => socket.close();
}
