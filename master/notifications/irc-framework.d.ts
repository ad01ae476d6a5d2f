// The little of irc-framework (which ships no types) that the IRC channel uses.
declare module 'irc-framework' {
  import { EventEmitter } from 'node:events';

  export interface ConnectOptions {
    host: string;
    port: number;
    nick: string;
    username?: string;
    gecos?: string;
    tls?: boolean;
    password?: string;
    auto_reconnect?: boolean;
  }

  export class Client extends EventEmitter {
    user: { nick: string };
    connect(options: ConnectOptions): void;
    join(channel: string, key?: string): void;
    say(target: string, message: string): void;
    changeNick(nick: string): void;
    quit(message?: string): void;
  }
}
