import { SelectQueryNode, SqliteDialect, type CompiledQuery, type DatabaseConnection, type Driver, type QueryResult, type SqliteDialectConfig, type TransactionSettings } from 'kysely';

/**
 * Turns at writing to the embedded database, for its two writers: the server's connection and the
 * message writer's thread (`SqliteMessageWriter`). SQLite lets one connection write at a time, and a
 * connection that finds the lock taken sleeps its whole thread in steps of milliseconds: on the
 * server's thread that stopped every socket. Here the one that waits awaits instead, first come first
 * served, and SQLite's lock is always free when a turn starts.
 */
export class WriteTurns {
  private held = false;
  private readonly waiting: (() => void)[] = [];

  /** Resolves when the turn is the caller's; call the answer to end it. */
  take(): Promise<() => void> {
    return new Promise((resolve) => {
      const start = () => {
        this.held = true;
        let ended = false;
        resolve(() => {
          if (ended) return;
          ended = true;
          this.pass();
        });
      };
      if (this.held) this.waiting.push(start);
      else start();
    });
  }

  private pass(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held = false;
  }
}

const reading = /^\s*(select|pragma)\b/i;

/**
 * The server's connection, taking a turn for each statement that may write and for each transaction,
 * from `begin` to its `commit` or `rollback`; reads never wait (WAL readers see the last commit).
 */
class TurnTakingConnection implements DatabaseConnection {
  private transactionTurn: (() => void) | undefined;

  constructor(
    private readonly connection: DatabaseConnection,
    private readonly turns: WriteTurns,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const command = query.sql.trim().toLowerCase();
    if (command === 'begin') {
      const end = await this.turns.take();
      try {
        const result = await this.connection.executeQuery<R>(query);
        this.transactionTurn = end;
        return result;
      } catch (error) {
        end();
        throw error;
      }
    }
    if (this.transactionTurn) {
      const ending = command === 'commit' || command === 'rollback';
      const result = await this.connection.executeQuery<R>(query).catch((error: unknown) => {
        // A failed commit is followed by a rollback; the turn ends there.
        if (command === 'rollback') this.endTransaction();
        throw error;
      });
      if (ending) this.endTransaction();
      return result;
    }
    if (SelectQueryNode.is(query.query) || reading.test(query.sql)) return this.connection.executeQuery<R>(query);
    const end = await this.turns.take();
    try {
      return await this.connection.executeQuery<R>(query);
    } finally {
      end();
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize: number): AsyncIterableIterator<QueryResult<R>> {
    // SQLite streams selects only: nothing to wait for.
    return this.connection.streamQuery<R>(query, chunkSize);
  }

  private endTransaction(): void {
    const end = this.transactionTurn;
    this.transactionTurn = undefined;
    end?.();
  }
}

class TurnTakingDriver implements Driver {
  private readonly connections = new WeakMap<DatabaseConnection, TurnTakingConnection>();

  constructor(
    private readonly driver: Driver,
    private readonly turns: WriteTurns,
  ) {}

  init(): Promise<void> {
    return this.driver.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.driver.acquireConnection();
    let wrapped = this.connections.get(connection);
    if (!wrapped) {
      wrapped = new TurnTakingConnection(connection, this.turns);
      this.connections.set(connection, wrapped);
    }
    return wrapped;
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.driver.beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.driver.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.driver.rollbackTransaction(connection);
  }

  savepoint(connection: DatabaseConnection, name: string, compile: QueryCompile): Promise<void> {
    return this.required(this.driver.savepoint)(connection, name, compile);
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompile): Promise<void> {
    return this.required(this.driver.rollbackToSavepoint)(connection, name, compile);
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompile): Promise<void> {
    return this.required(this.driver.releaseSavepoint)(connection, name, compile);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.driver.releaseConnection(connection);
  }

  destroy(): Promise<void> {
    return this.driver.destroy();
  }

  private required<F extends (...args: never[]) => Promise<void>>(method: F | undefined): F {
    if (!method) throw new Error('the SQLite driver has no savepoints');
    return method.bind(this.driver) as F;
  }
}

type QueryCompile = Parameters<NonNullable<Driver['savepoint']>>[2];

/** Kysely's SQLite dialect whose connection takes `turns` to write. */
export class TurnTakingSqliteDialect extends SqliteDialect {
  constructor(
    config: SqliteDialectConfig,
    private readonly turns: WriteTurns,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new TurnTakingDriver(super.createDriver(), this.turns);
  }
}
