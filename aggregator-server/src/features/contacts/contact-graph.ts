import type { ContactsRepository } from './contacts.repository.js';

/**
 * Who has whose number, before any privacy rule: what the privacy feature needs from address books to
 * decide audiences. A service of its own so privacy depends on it and contacts on privacy, without a cycle.
 */
export class ContactGraph {
  constructor(private readonly repo: Pick<ContactsRepository, 'rawMatches' | 'whoHaveNumberOf'>) {}

  /** Users one of whose numbers is in `userId`'s address book. */
  async usersInBookOf(userId: string): Promise<string[]> {
    return [...new Set((await this.repo.rawMatches(userId)).map((match) => match.userId))];
  }

  /** Of `candidates`, those whose own book holds one of `userId`'s numbers. */
  whoHaveNumberOf(userId: string, candidates: string[]): Promise<string[]> {
    return this.repo.whoHaveNumberOf(userId, candidates);
  }
}
