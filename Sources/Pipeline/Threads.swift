import Glibc

/// A bounded first-in-first-out hand-off between threads: `put` waits while it is full,
/// `take` waits while it is empty and returns nil once it is closed and empty.
final class BoundedQueue<Element> {
  private var items: [Element?]
  private var head = 0
  private var count = 0
  private var closed = false
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

  init(capacity: Int) {
    items = Array(repeating: nil, count: max(1, capacity))
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(changed, nil)
  }

  deinit {
    pthread_cond_destroy(changed)
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
    changed.deallocate()
  }

  func put(_ item: Element) {
    pthread_mutex_lock(mutex)
    while count == items.count { pthread_cond_wait(changed, mutex) }
    items[(head + count) % items.count] = item
    count += 1
    pthread_cond_broadcast(changed)
    pthread_mutex_unlock(mutex)
  }

  func take() -> Element? {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    while count == 0 {
      if closed { return nil }
      pthread_cond_wait(changed, mutex)
    }
    let item = items[head].take()
    head = (head + 1) % items.count
    count -= 1
    pthread_cond_broadcast(changed)
    return item
  }

  /// Adds `item` unless the queue is full (then drops it and returns false); never waits.
  @discardableResult func tryPut(_ item: Element) -> Bool {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    guard count < items.count else { return false }
    items[(head + count) % items.count] = item
    count += 1
    pthread_cond_broadcast(changed)
    return true
  }

  /// The first item, or nil when the queue is empty; never waits.
  func tryTake() -> Element? {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    guard count > 0 else { return nil }
    let item = items[head].take()
    head = (head + 1) % items.count
    count -= 1
    pthread_cond_broadcast(changed)
    return item
  }

  /// No more puts: `take` drains what is left, then returns nil.
  func close() {
    pthread_mutex_lock(mutex)
    closed = true
    pthread_cond_broadcast(changed)
    pthread_mutex_unlock(mutex)
  }
}

/// Runs `body` on a new thread; `join` waits for it.
struct BackgroundThread {
  private final class Body {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
  }
  private var thread = pthread_t()

  init(_ body: @escaping () -> Void) {
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
