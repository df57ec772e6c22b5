import Glibc

/// Which of a file command's two threads does the work that may go to either: decode's
/// formatting, analyze's analysis. Output is the same either way; tests pin it to compare.
public enum WorkSharing: Sendable {
  /// The reading thread takes a batch whenever the consuming thread is behind.
  case shared
  /// Only the consuming (main) thread does it.
  case consumingThreadOnly
  /// The reading thread does it for every batch.
  case readingThreadOnly
}

/// A bounded first-in-first-out hand-off between threads: `put` waits while it is full,
/// `take` waits while it is empty and returns nil once it is closed and empty. Items move
/// through it (they may be noncopyable, as output buffers are): the putting thread gives each
/// up, the taking thread owns it. Every access to the ring is under the mutex, which is why
/// the queue may be shared between threads.
final class BoundedQueue<Element: ~Copyable & Sendable>: @unchecked Sendable {
  private let items: UnsafeMutablePointer<Element>
  private let capacity: Int
  private var head = 0
  private var count = 0
  private var closed = false
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

  init(capacity: Int) {
    self.capacity = max(1, capacity)
    items = .allocate(capacity: self.capacity)
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(changed, nil)
  }

  deinit {
    for i in 0..<count { (items + (head + i) % capacity).deinitialize(count: 1) }
    items.deallocate()
    pthread_cond_destroy(changed)
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
    changed.deallocate()
  }

  func put(_ item: consuming Element) {
    pthread_mutex_lock(mutex)
    while count == capacity { pthread_cond_wait(changed, mutex) }
    append(item)
    pthread_mutex_unlock(mutex)
  }

  /// Adds `item` unless the queue is full (then drops it); never waits. True when it went in.
  func tryPut(_ item: consuming Element) -> Bool {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    guard count < capacity else { return false }
    append(item)
    return true
  }

  func take() -> Element? {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    while count == 0 {
      if closed { return nil }
      pthread_cond_wait(changed, mutex)
    }
    return removeFirst()
  }

  /// The first item, or nil when the queue is empty; never waits.
  func tryTake() -> Element? {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    guard count > 0 else { return nil }
    return removeFirst()
  }

  /// No more puts: `take` drains what is left, then returns nil.
  func close() {
    pthread_mutex_lock(mutex)
    closed = true
    pthread_cond_broadcast(changed)
    pthread_mutex_unlock(mutex)
  }

  /// Under the mutex, with room.
  private func append(_ item: consuming Element) {
    (items + (head + count) % capacity).initialize(to: item)
    count += 1
    pthread_cond_broadcast(changed)
  }

  /// Under the mutex, with an item.
  private func removeFirst() -> Element {
    let item = (items + head).move()
    head = (head + 1) % capacity
    count -= 1
    pthread_cond_broadcast(changed)
    return item
  }
}

/// Runs `body` on a new thread; `join` waits for it. The body is `sending`: whatever it
/// captures the caller gives up, so the new thread is its only user (the compiler checks
/// this at every call).
struct BackgroundThread {
  private final class Body {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
  }
  private var thread = pthread_t()

  init(_ body: sending @escaping () -> Void) {
    let context = Unmanaged.passRetained(Body(body)).toOpaque()
    let status = pthread_create(
      &thread, nil,
      { context in
        Unmanaged<Body>.fromOpaque(context!).takeRetainedValue().run()
        return nil
      }, context)
    precondition(status == 0, "pthread_create failed: \(status)")
  }

  func join() { pthread_join(thread, nil) }
}
