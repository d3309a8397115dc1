import 'reflect-metadata';
import { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { Config, loadConfig, PROJECT_ROOT } from '../config';
import { openDatabase, StartupError } from '../db/database';
import { DomainError } from '../domain/errors';
import { createServices } from '../services';
import { CommandArgs, CommandName, runCommand } from './commands';
import { controlSocketPath, sendToServer, streamFromServer } from './control-socket';
import { AuditExportArgs, exportAudit, recordCounter } from './audit-export';
import { DEFAULT_BATCH, ImportArgs, importFile, importHuman } from './import';
import { createProgress, progressWanted } from './progress';
import { AuditIo, runAudit } from './audit-reports/client';
import { auditDeactivatedUsers } from './audit-reports/deactivated-users';
import { auditEmptyGroups } from './audit-reports/empty-groups';
import { auditTokens } from './audit-reports/tokens';
import { exitStatus, quietOnEpipe, reportError, table } from './output';

const VERSION = (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
import type { HealthReport } from '../domain/connection/health';

/** Where commands run: the running server (its control socket) or the configured database, opened once. */
interface Backend {
  config: Config;
  run(command: CommandName, args: CommandArgs, onProgress?: (done: number, total: number) => void): Promise<unknown>;
}

/**
 * Runs `work` with commands going through the running server's control socket in embedded mode
 * when a server is up, otherwise directly on the configured database (migrated first, so a fresh
 * database works), opened once for all of them.
 */
async function withBackend<T>(createDatabase: boolean, work: (b: Backend) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // a socket left behind by a killed server refuses the connection: then the database is opened below
  if (!config.databaseUrl && fs.existsSync(controlSocketPath(config)) && (await sendToServer(config, 'tenant.list', {}))) {
    return work({
      config,
      run: async (command, args, onProgress) => {
        const reply = await sendToServer(config, command, args, onProgress);
        if (!reply) throw new StartupError('the server stopped while the command ran');
        if (!reply.ok) throw new DomainError((reply.error?.code ?? 'invalidValue') as never, reply.error?.message ?? 'failed');
        return reply.result;
      },
    });
  }
  const db = await openDatabase(config, { createDatabase });
  try {
    const applied = await db.migrate();
    const services = createServices(db.orm, config);
    return await work({
      config,
      run: (command, args, onProgress) => (command === 'migrate' ? Promise.resolve({ applied }) : runCommand(services, config, command, args, db.migrate, { onProgress })),
    });
  } finally {
    await db.close();
  }
}

/** Runs one command (see withBackend). */
async function execute(command: CommandName, args: CommandArgs, onProgress?: (done: number, total: number) => void): Promise<unknown> {
  return withBackend(!!args.createDatabase, (b) => b.run(command, args, onProgress));
}

/** `provisio audit export`: streamed to stdout, through the running server in embedded mode. */
async function auditExport(args: AuditExportArgs & ProgressArgs): Promise<void> {
  const config = loadConfig();
  const progress = createProgress({ label: 'audit export', unit: 'entries', json: !!args.json, force: args.progress });
  const wanted = progressWanted(args.progress, process.env, process.stderr);
  const params = { tenant: args.tenant, since: args.since, before: args.before, format: args.format };
  if (!config.databaseUrl) {
    // the server streams the export; the progress bar counts the records going by
    let started = false;
    const counter = wanted ? recordCounter(params.format ?? 'jsonl', (n) => started && progress.update(n)) : undefined;
    counter?.pipe(process.stdout, { end: false });
    try {
      const viaServer = await streamFromServer(config, { ...params, ...(wanted ? { count: 'true' } : {}) }, counter ?? process.stdout, (total) => {
        started = true;
        progress.start(total);
      });
      if (viaServer) {
        if (counter) {
          counter.end();
          await finished(counter); // every record passed on to stdout
        }
        return;
      }
    } finally {
      if (started) progress.stop();
    }
    counter?.unpipe(process.stdout);
  }
  const db = await openDatabase(config);
  try {
    await db.migrate();
    await exportAudit(createServices(db.orm, config), params, process.stdout, wanted ? progress : undefined);
  } finally {
    await db.close();
  }
}

/** `provisio import`: JSON lines of SCIM resources, in /Bulk batches; exit status 1 when a line failed. */
async function importCommand(args: ImportArgs & ProgressArgs & { json?: boolean }, createDatabase: boolean): Promise<void> {
  const report = await withBackend(createDatabase, (b) => {
    const progress = createProgress({ label: 'import', unit: 'lines', json: !!args.json, force: args.progress });
    return importFile((command, a) => b.run(command, a), args, b.config.bulkMaxOperations, progress);
  });
  if (args.json) process.stdout.write(JSON.stringify(report) + '\n');
  else {
    const { out, err } = importHuman(report);
    for (const line of err) process.stderr.write(line + '\n');
    process.stdout.write(out + '\n');
  }
  if (report.failed > 0) throw new ReportedError(1);
}

/** `--progress` / `--no-progress` (commander: true / false / undefined) and `--json`. */
interface ProgressArgs {
  progress?: boolean;
  json?: boolean;
}

function print(result: unknown, json: boolean, human: (r: any) => string): void {
  process.stdout.write(json ? JSON.stringify(result) + '\n' : human(result) + '\n');
}

/** A health report as an operator reads it (docs/idp-profiles.md#mapping-health). */
function healthHuman(r: HealthReport): string {
  const lines = [
    `window ${new Date(r.from).toISOString()} .. ${new Date(r.to).toISOString()}`,
    `users written: ${r.users} (${r.userWrites} writes); missing mandatory attributes: ${r.usersMissingMandatory}`,
    `group writes: ${r.groupWrites}`,
    ...r.missing.map((m) => `  ${m.attribute}: ${m.users} user(s)`),
    `unparsable phone numbers: ${r.unparsablePhones} (${r.usersWithUnparsablePhones} user(s))`,
    `unknown attributes ignored: ${r.unknownAttributes.length ? r.unknownAttributes.map((u) => `${u.attribute} (${u.count})`).join(', ') : 'none'}`,
    `managers naming no user: ${r.unknownManagers}`,
    `refused requests: ${r.errors}`,
    ...r.recentErrors.map((e) => `  ${e.status}${e.scimType ? ` ${e.scimType}` : ''} x${e.count}, last ${new Date(e.lastSeen).toISOString()} ${e.method} ${e.path}: ${e.detail}`),
  ];
  return lines.join('\n');
}

const tokenHuman = (r: any) =>
  `SCIM URL: ${r.scimUrl}\nToken:    ${r.token}\n(id ${r.id}, expires ${new Date(r.expiresAt).toISOString()}; the token is shown only this once)`;

export function buildCli(): Command {
  const program = new Command('provisio')
    .description(
      'Provisio SCIM 2.0 provisioning service: manage tenants, tokens, admin keys and custom attributes; import users and groups.\n' +
        'With DATABASE_URL it works on that PostgreSQL database; without, on the embedded database in DATA_DIR\n' +
        '(relative to the project, default ./data), through the running server when there is one.\n' +
        'Exit status: 0 done, 1 failed, 2 usage error. With --json, errors are {"error":{"code","message"}} on stdout.',
    )
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .helpCommand('help [command]', 'show help for a command')
    .option('--create-database', "create DATABASE_URL's database when it does not exist (CREATE_DATABASE=1)")
    .showHelpAfterError()
    .exitOverride();
  const act = (command: CommandName, human: (r: any) => string) => async (opts: CommandArgs & { json?: boolean }) =>
    print(await execute(command, { ...opts, createDatabase: program.opts().createDatabase }), !!opts.json, human);

  program
    .command('demo')
    .description('print a new SCIM token and admin key for the "demo" tenant (created when missing): for when the first start\'s were lost')
    .option('--json', 'print {"slug","scimUrl","token","adminKey"}')
    .action(act('demo', (r) => `SCIM URL: ${r.scimUrl}\nToken:    ${r.token}\nAdmin key: ${r.adminKey}\n(shown only this once; earlier tokens and keys keep working)`));

  program
    .command('migrate')
    .description('apply pending database migrations')
    .option('--json', 'print JSON')
    .action(act('migrate', (r) => (r.applied.length ? `applied: ${r.applied.join(', ')}` : 'database is up to date')));

  const tenant = program.command('tenant').description('manage tenants');
  tenant
    .command('create')
    .description('create a tenant with a SCIM connection, and print its SCIM URL and token')
    .requiredOption('--name <name>', 'display name')
    .option('--slug <slug>', 'URL slug (default: from the name)')
    .option('--idp <kind>', 'entra | okta | jumpcloud | generic | strict', 'generic')
    .option('--delete-policy <policy>', 'what a SCIM DELETE of a user does: deactivate (default) | delete')
    .option('--json', 'print {"tenant":{…},"scimUrl":…,"token":…}')
    .action(act('tenant.create', (r) => `Tenant ${r.tenant.name} (${r.tenant.slug})\nSCIM URL: ${r.scimUrl}\nToken:    ${r.token}\n(the token is shown only this once)`));
  tenant.command('list').description('list tenants').option('--json', 'print JSON').action(act('tenant.list', table));
  tenant
    .command('delete')
    .description("delete a tenant: users, groups, custom attributes and events are purged, tokens revoked, the audit trail kept (docs/connections.md)")
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option('--confirm <slug>', "the tenant's slug again: nothing is deleted without it")
    .option('--json', 'print JSON')
    .action(
      act('tenant.delete', (r) =>
        `deleted tenant ${r.tenant.slug}: purged ${r.purged.users} user(s), ${r.purged.groups} group(s), ${r.purged.customAttributes} custom attribute(s), ${r.purged.events} event(s); ${r.connectionsDeleted} connection(s) deleted; audit trail kept`,
      ),
    );

  const connection = program.command('connection').description("manage a tenant's SCIM connections (one per IdP setup)");
  const connectionLine = (r: any) => `${r.name} (${r.id}): ${r.idp}, ${r.status}, delete policy ${r.deletePolicy}`;
  connection
    .command('list')
    .description("list a tenant's SCIM connections")
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option('--all', 'deleted connections too')
    .option('--json', 'print JSON')
    .action(act('connection.list', table));
  connection
    .command('create')
    .description('create a connection and print its SCIM URL and first token (shown only this once)')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option('--name <name>', 'a human name, e.g. "Entra ID production" (default: the IdP kind)')
    .option('--idp <kind>', 'entra | okta | jumpcloud | generic', 'generic')
    .option('--delete-policy <policy>', 'what a SCIM DELETE of a user does: deactivate (default) | delete')
    .option('--days <n>', 'token lifetime in days (default 365)')
    .option('--json', 'print JSON')
    .action(act('connection.create', (r) => `${connectionLine(r.connection)}\n${tokenHuman(r)}`));
  connection
    .command('update')
    .description('rename a connection or change its delete policy')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .requiredOption('--id <connectionId>', 'connection id (see connection list)')
    .option('--name <name>', 'new display name of the connection')
    .option('--delete-policy <policy>', 'deactivate | delete')
    .option('--json', 'print JSON')
    .action(act('connection.update', connectionLine));
  for (const [verb, text] of [
    ['disable', 'its tokens answer 401 until it is enabled again'],
    ['enable', 'its tokens (not revoked, not expired) work again'],
    ['delete', 'revoke every token of the connection; it is kept, as deleted, for history. Cannot be undone'],
  ] as const) {
    connection
      .command(verb)
      .description(text)
      .requiredOption('--tenant <slug>', 'tenant slug')
      .requiredOption('--id <connectionId>', 'connection id (see connection list)')
      .option('--json', 'print JSON')
      .action(act(`connection.${verb}`, connectionLine));
  }

  const token = program.command('token').description("manage a tenant's SCIM bearer tokens");
  token.command('list').description("list a tenant's tokens (never the secret)").requiredOption('--tenant <slug>', 'tenant slug').option('--json', 'print JSON').action(act('token.list', table));
  token
    .command('create')
    .description('issue a token on an existing connection, or on a new connection for --idp')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option('--connection <id>', 'existing SCIM connection id')
    .option('--idp <kind>', 'IdP kind of a new connection', 'generic')
    .option('--days <n>', 'lifetime in days (default 365, at most 3650)')
    .option('--json', 'print JSON')
    .action(act('token.create', tokenHuman));
  token
    .command('rotate')
    .description('replace a token; the old one works for --overlap minutes more')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .requiredOption('--id <tokenId>', 'id of the token to replace (see token list)')
    .option('--overlap <minutes>', 'minutes the old token keeps working', '0')
    .option('--days <n>', 'lifetime of the new token in days')
    .option('--json', 'print JSON')
    .action(act('token.rotate', tokenHuman));
  token
    .command('revoke')
    .description('revoke a token at once')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .requiredOption('--id <tokenId>', 'id of the token (see token list)')
    .option('--json', 'print JSON')
    .action(act('token.revoke', (r) => `revoked ${r.prefix}… (${r.id})`));

  const adminKey = program.command('admin-key').description('manage keys of the GraphQL admin API (/graphql)');
  adminKey
    .command('create')
    .description('create an admin key and print it (shown only this once)')
    .requiredOption('--role <role>', 'admin (read and change) | auditor (read only)')
    .option('--tenant <slug>', 'limit the key to one tenant')
    .option('--json', 'print {"key":…,"role":…,"tenant":…}')
    .action(act('admin-key.create', (r) => `Admin key (${r.role}${r.tenant ? `, tenant ${r.tenant}` : ', every tenant'}): ${r.key}\n(the key is shown only this once)`));
  adminKey.command('list').description('list admin keys (never the secret)').option('--json', 'print JSON').action(act('admin-key.list', table));
  adminKey
    .command('revoke')
    .description('revoke an admin key at once')
    .requiredOption('--id <keyId>', 'id of the key (see admin-key list)')
    .option('--json', 'print JSON')
    .action(act('admin-key.revoke', (r) => `revoked ${r.prefix}… (${r.id})`));
  const attribute = program.command('attribute').description("manage a tenant's custom attributes (its own SCIM extension schema)");
  attribute
    .command('define')
    .description('define a custom User or Group attribute; SCIM clients of that tenant can set, filter and sort it at once')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .requiredOption('--resource <User|Group>', 'resource type the attribute extends')
    .option('--name <name>', 'attribute name (RFC 7643 §2.1: a letter, then letters, digits, "-", "_")')
    .option('--type <type>', 'string | boolean | integer | decimal | dateTime | reference | binary | complex', undefined)
    .option('--schema <urn>', 'extension schema URN (default urn:ietf:params:scim:schemas:extension:<tenant>:2.0:<User|Group>)')
    .option('--multi-valued', 'a list of values')
    .option('--required', 'required on create and replace')
    .option('--case-exact', 'compare strings case-sensitively')
    .option('--mutability <m>', 'readWrite | immutable', undefined)
    .option('--returned <r>', 'default | always', undefined)
    .option('--description <text>', 'description shown in /Schemas')
    .option('--canonical-values <a,b,…>', 'suggested values of a string attribute')
    .option('--reference-types <a,b,…>', 'for a reference: external, uri, User, Group')
    .option('--sub <name:type,…>', 'sub-attributes of a complex attribute, e.g. code:string,amount:decimal')
    .option('--definition <json>', 'the whole definition as JSON (flags override its fields)')
    .option('--json', 'print JSON')
    .action(act('attribute.define', (r) => `defined ${r.resourceType} attribute ${r.schema}:${r.name} (${r.attribute.type}${r.attribute.multiValued ? ', multi-valued' : ''})`));
  attribute
    .command('list')
    .description("list a tenant's custom attributes")
    .requiredOption('--tenant <slug>', 'tenant slug')
    .option('--resource <User|Group>', 'only this resource type')
    .option('--json', 'print JSON')
    .action(
      act('attribute.list', (rows: any[]) =>
        table(rows.map((r) => ({ resource: r.resourceType, schema: r.schema, name: r.name, type: r.attribute.type, multiValued: r.attribute.multiValued, createdAt: r.createdAt }))),
      ),
    );
  attribute
    .command('remove')
    .description('remove a custom attribute and its stored values from every resource of the tenant')
    .requiredOption('--tenant <slug>', 'tenant slug')
    .requiredOption('--resource <User|Group>', 'resource type the attribute extends')
    .requiredOption('--name <name>', 'attribute name')
    .option('--schema <urn>', 'needed only when several schemas define the name')
    .option('--json', 'print JSON (progress, when shown, as JSON lines on stderr)')
    .option('--progress', 'show progress on stderr even when it is not a terminal (PROVISIO_PROGRESS=1)')
    .option('--no-progress', 'never show progress (PROVISIO_PROGRESS=0)')
    .action(async (opts: CommandArgs & ProgressArgs) => {
      const progress = createProgress({ label: 'attribute remove', unit: 'resources', json: !!opts.json, force: opts.progress });
      let started = false;
      const onProgress = (done: number, total: number) => {
        if (!started) progress.start(total);
        started = true;
        progress.update(done);
      };
      const { progress: _, ...args } = opts;
      let r: any;
      try {
        r = await execute('attribute.remove', { ...args, createDatabase: program.opts().createDatabase }, onProgress);
      } finally {
        progress.stop();
      }
      print(r, !!opts.json, (x) => `removed ${x.schema}:${x.name}; its value was cleared on ${x.resourcesChanged} resource(s)`);
    });
  tenant
    .command('phone-region')
    .description("set the region used to read phone numbers written without a country code (RFC 3966 tel: forms)")
    .requiredOption('--tenant <slug>', 'tenant slug')
    .requiredOption('--region <code>', 'ISO 3166-1 alpha-2 code such as US or GB; none to clear')
    .option('--json', 'print JSON')
    .action(act('tenant.phone-region', (r) => `${r.tenant}: phone region ${r.phoneRegion ?? 'none (international numbers only)'}`));
  connection
    .command('health')
    .description("mapping health of a connection, from its live traffic: users missing Entra's mandatory attributes, unparsable phones, unknown attributes, recent errors")
    .requiredOption('--tenant <slug>', 'tenant slug')
    .requiredOption('--connection <id|name>', 'the SCIM connection, by id or name')
    .option('--hours <n>', 'window in hours, 1 to 168', '24')
    .option('--json', 'print JSON')
    .action(act('connection.health', healthHuman));
  const audit = program.command('audit').description('the audit trail of SCIM requests and admin mutations');
  audit
    .command('export')
    .description("stream audit entries, oldest first, to stdout: a tenant's from --since, or every tenant's before --before (to archive what retention will drop)")
    .option('--tenant <slug>', 'one tenant (required unless --before is given)')
    .option('--since <iso>', 'from this ISO 8601 date or date-time (inclusive)')
    .option('--before <iso>', 'before this ISO 8601 date or date-time (exclusive)')
    .option('--format <format>', 'jsonl | csv', 'jsonl')
    .option('--json', 'machine-readable stderr and errors: progress as JSON lines on stderr, an error as {"error":{"code","message"}} on stdout')
    .option('--progress', 'show progress on stderr even when it is not a terminal (PROVISIO_PROGRESS=1)')
    .option('--no-progress', 'never show progress (PROVISIO_PROGRESS=0)')
    .action((opts: AuditExportArgs & ProgressArgs) => auditExport(opts));

  program
    .command('import')
    .description(
      'create (or with --update, replace) users and groups from a file of JSON lines, one SCIM User or Group resource per line (its "schemas" say which), ' +
        'in /Bulk batches; a failed line is reported with its number and the others go on. Exit status 1 when a line failed',
    )
    .requiredOption('--file <path>', 'the JSON lines file; a group member can name the user of line N as "bulkId:line-N"')
    .option('--tenant <slug>', 'tenant slug (default: the only tenant, when there is just one)')
    .option('--batch-size <n>', `resources per /Bulk request, 1 to BULK_MAX_OPERATIONS (default ${DEFAULT_BATCH})`)
    .option('--update', 'a line whose user (same userName) or group (same displayName) the tenant already has replaces it (PUT) instead of failing with 409')
    .option('--json', 'print one JSON document: the report {"tenant","file","resources","imported","updated","failed","failures":[{"line","status","scimType","message"}]}, or {"error":{"code","message"}} when the import could not run')
    .option('--progress', 'show progress on stderr even when it is not a terminal (PROVISIO_PROGRESS=1)')
    .option('--no-progress', 'never show progress (PROVISIO_PROGRESS=0)')
    .action((opts: ImportArgs & ProgressArgs) => importCommand(opts, !!program.opts().createDatabase));
  // Reports over the GraphQL admin API (PROVISIO_URL, PROVISIO_ADMIN_KEY): they run against any instance.
  const report = (name: string, description: string, body: (io: AuditIo) => Promise<void>) =>
    audit
      .command(name)
      .description(`${description} (over the admin API: PROVISIO_URL, PROVISIO_ADMIN_KEY; --help for its options)`)
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .argument('[options...]')
      .action(async (rest: string[]) => {
        const code = await runAudit({ argv: rest, env: process.env, stdout: process.stdout, stderr: process.stderr }, body);
        if (code !== 0) throw new ReportedError(code);
      });
  report('tokens', 'SCIM tokens unused for a long time or expiring soon', auditTokens);
  report('deactivated-users', 'users deactivated in the last N days, per tenant', auditDeactivatedUsers);
  report('empty-groups', 'groups with no members, per tenant', auditEmptyGroups);
  return program;
}

/** A failure already printed (by an audit report): only its exit status is left to set. */
class ReportedError extends Error {
  constructor(readonly status: number) {
    super('reported');
  }
}

/**
 * Entry point of bin/provisio.js. Exit status: 0 done, 1 failed, 2 usage error (a bad option or
 * value). Under --json an error is `{"error":{"code","message"}}` on stdout.
 */
export async function runCli(argv: string[]): Promise<void> {
  quietOnEpipe();
  const json = argv.includes('--json');
  const program = buildCli();
  if (json) {
    // commander's usage messages become the JSON error below
    const quiet = { writeErr: () => undefined, outputError: () => undefined };
    const silence = (c: Command) => {
      c.configureOutput(quiet);
      c.commands.forEach(silence);
    };
    silence(program);
  }
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof ReportedError) return void (process.exitCode = e.status);
    const err = e as { code?: string; exitCode?: number; message?: string };
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return void (process.exitCode = 0);
    if (err.code?.startsWith('commander.')) {
      if (json) process.stdout.write(JSON.stringify({ error: { code: 'usage', message: (err.message ?? '').replace(/^error: /, '') } }) + '\n');
      process.exitCode = 2; // without --json commander has written the message
      return;
    }
    reportError(e, json);
    process.exitCode = exitStatus(e);
  }
}
