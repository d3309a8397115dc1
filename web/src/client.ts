import { Client, cacheExchange, fetchExchange } from 'urql';
import { getKey } from './session';

/** The one way the console talks to the server: POST /graphql on this origin. */
export function createClient(withKey = true): Client {
  return new Client({
    url: '/graphql',
    exchanges: [cacheExchange, fetchExchange],
    requestPolicy: 'cache-and-network',
    preferGetMethod: false,
    fetchOptions: (): RequestInit => {
      const key = withKey ? getKey() : null;
      const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
      return { headers, credentials: 'omit' };
    },
  });
}
