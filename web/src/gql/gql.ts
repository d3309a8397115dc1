/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Viewer {\n    viewer { keyId role tenant }\n  }\n": typeof types.ViewerDocument,
    "\n  query Tenants {\n    tenants { id slug name createdAt scimUrl stats { usersActive usersInactive groups } activity(hours: 24) { lastRequestAt requests failedRequests errorRate } }\n  }\n": typeof types.TenantsDocument,
    "\n  mutation CreateTenant($input: CreateTenantInput!) {\n    createTenant(input: $input) { id slug name }\n  }\n": typeof types.CreateTenantDocument,
    "\n  query TenantOverview($slug: String!, $holds: HoldState) {\n    tenant(slug: $slug) {\n      id slug name scimUrl\n      stats { usersActive usersInactive usersDeleted groups memberships events { heldEvents openHolds unpublishedEvents } }\n      scimConnections { id name idp activeTokens lastRequestAt lastRequest { status time operation } tokens { id prefix expiresAt status } health { errors userWrites groupWrites missing { attribute users } unknownAttributes { attribute count } unknownManagers unparsablePhones recentErrors { status scimType detail count lastSeen lastRequest } } }\n      eventHolds(state: $holds) { id reason events createdAt }\n    }\n  }\n": typeof types.TenantOverviewDocument,
    "\n  query TenantTraffic($slug: String!, $first: Int!, $from: DateTime) {\n    tenant(slug: $slug) {\n      auditEntries(first: $first, filter: { from: $from }) { nodes { time status connectionId actorKind } }\n    }\n    events(tenant: $slug, first: 1000) { nodes { time type } }\n  }\n": typeof types.TenantTrafficDocument,
    "\n  mutation CreateConnection($tenant: String!, $idp: IdpKind!, $days: Int, $name: String) {\n    createScimConnection(tenant: $tenant, idp: $idp, days: $days, name: $name) {\n      scimUrl token connection { id name idp } tokenInfo { id prefix expiresAt }\n    }\n  }\n": typeof types.CreateConnectionDocument,
    "\n  query Connections($slug: String!) {\n    tenant(slug: $slug) {\n      id slug scimUrl\n      scimConnections {\n        id name idp activeTokens lastRequestAt status deletePolicy disabledAt deletedAt\n        lastRequest { status time operation scimType }\n        health { errors userWrites groupWrites missing { attribute users } unknownAttributes { attribute count } unknownManagers unparsablePhones recentErrors { status scimType detail count lastSeen lastRequest } }\n        tokens { id prefix createdAt expiresAt lastUsedAt revokedAt status }\n      }\n    }\n  }\n": typeof types.ConnectionsDocument,
    "\n  mutation RotateToken($tenant: String!, $id: ID!, $overlapMinutes: Int!, $days: Int) {\n    rotateToken(tenant: $tenant, id: $id, overlapMinutes: $overlapMinutes, days: $days) { token scimUrl info { id prefix expiresAt } }\n  }\n": typeof types.RotateTokenDocument,
    "\n  mutation RevokeToken($tenant: String!, $id: ID!) {\n    revokeToken(tenant: $tenant, id: $id) { id status revokedAt }\n  }\n": typeof types.RevokeTokenDocument,
    "\n  query Users($slug: String!, $filter: String, $after: String, $first: Int, $orderBy: OrderBy) {\n    tenant(slug: $slug) {\n      id\n      users(filter: $filter, after: $after, first: $first, orderBy: $orderBy) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        nodes { id userName displayName externalId active createdAt updatedAt attributes }\n      }\n    }\n  }\n": typeof types.UsersDocument,
    "\n  query DeletedUsers($slug: String!, $after: String) {\n    tenant(slug: $slug) {\n      id\n      deletedUsers(first: 50, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id userName updatedAt } }\n    }\n  }\n": typeof types.DeletedUsersDocument,
    "\n  query UserDetail($slug: String!, $id: ID!) {\n    tenant(slug: $slug) {\n      id\n      user(id: $id) { id userName displayName externalId active createdAt updatedAt version attributes groups { id displayName } events(first: 20) { id sequence type time } }\n      auditEntries(first: 50, filter: { resourceId: $id }) { nodes { id time operation status actorKind scimType } }\n    }\n  }\n": typeof types.UserDetailDocument,
    "\n  mutation PurgeUser($tenant: String!, $id: ID!) { purgeUser(tenant: $tenant, id: $id) }\n": typeof types.PurgeUserDocument,
    "\n  mutation RestoreUser($tenant: String!, $id: ID!) { restoreUser(tenant: $tenant, id: $id) { id userName } }\n": typeof types.RestoreUserDocument,
    "\n  query Groups($slug: String!, $filter: String, $after: String) {\n    tenant(slug: $slug) {\n      id\n      groups(filter: $filter, after: $after, first: 25) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        nodes { id displayName externalId memberCount updatedAt }\n      }\n    }\n  }\n": typeof types.GroupsDocument,
    "\n  query Audit($slug: String!, $filter: AuditFilter, $after: String) {\n    tenant(slug: $slug) {\n      id\n      scimConnections { id name }\n      auditEntries(first: 50, after: $after, filter: $filter) {\n        pageInfo { hasNextPage endCursor }\n        nodes { id time actorKind connectionId adminKeyId idp method path operation filter status scimType latencyMs requestId resourceIds changedAttributes holdId }\n      }\n    }\n  }\n": typeof types.AuditDocument,
    "\n  query EventFeed($slug: String!, $after: String, $types: [String!], $wait: Int) {\n    events(tenant: $slug, after: $after, types: $types, first: 200, wait: $wait) { endCursor hasNextPage nodes { id sequence type subject time data } }\n  }\n": typeof types.EventFeedDocument,
    "\n  query EventHolds($slug: String!) {\n    tenant(slug: $slug) { id eventHolds { id state reason events createdAt resolvedAt resolvedBy connectionId } }\n  }\n": typeof types.EventHoldsDocument,
    "\n  mutation ReleaseHold($tenant: String!, $id: ID!) { releaseHold(tenant: $tenant, id: $id) { id state } }\n": typeof types.ReleaseHoldDocument,
    "\n  mutation DiscardHold($tenant: String!, $id: ID!) { discardHold(tenant: $tenant, id: $id) { id state } }\n": typeof types.DiscardHoldDocument,
    "\n  query Attributes($slug: String!) {\n    tenant(slug: $slug) { id attributeDefinitions { id name resourceType schema type multiValued required description createdAt } }\n  }\n": typeof types.AttributesDocument,
    "\n  mutation DefineAttribute($tenant: String!, $input: DefineAttributeInput!) {\n    defineAttribute(tenant: $tenant, input: $input) { id name }\n  }\n": typeof types.DefineAttributeDocument,
    "\n  mutation RemoveAttribute($tenant: String!, $name: String!, $resourceType: String!, $schema: String) {\n    removeAttribute(tenant: $tenant, name: $name, resourceType: $resourceType, schema: $schema) { resourcesChanged }\n  }\n": typeof types.RemoveAttributeDocument,
    "\n  query AdminKeys {\n    adminKeys { id role tenant prefix createdAt lastUsedAt revokedAt }\n  }\n": typeof types.AdminKeysDocument,
    "\n  mutation CreateAdminKey($role: AdminRole!, $tenant: String) {\n    createAdminKey(role: $role, tenant: $tenant) { key info { id prefix role tenant } }\n  }\n": typeof types.CreateAdminKeyDocument,
    "\n  mutation RevokeAdminKey($id: ID!) { revokeAdminKey(id: $id) { id revokedAt } }\n": typeof types.RevokeAdminKeyDocument,
    "\n  query SetupLinks($slug: String!) {\n    tenant(slug: $slug) { id setupLinks { id idp prefix state createdAt expiresAt openedAt completedAt revokedAt connectionId } }\n  }\n": typeof types.SetupLinksDocument,
    "\n  mutation CreateSetupLink($tenant: String!, $idp: IdpKind!, $days: Int) {\n    createSetupLink(tenant: $tenant, idp: $idp, days: $days) { url secret link { id expiresAt } }\n  }\n": typeof types.CreateSetupLinkDocument,
    "\n  mutation RevokeSetupLink($tenant: String!, $id: ID!) { revokeSetupLink(tenant: $tenant, id: $id) { id state } }\n": typeof types.RevokeSetupLinkDocument,
    "\n  query PublicSetupLink($secret: String!) {\n    setupLink(secret: $secret) { tenantName idp expiresAt scimUrl }\n  }\n": typeof types.PublicSetupLinkDocument,
    "\n  mutation CompleteSetupLink($secret: String!, $days: Int) {\n    completeSetupLink(secret: $secret, days: $days) { scimUrl token connectionId idp tokenInfo { id prefix expiresAt } }\n  }\n": typeof types.CompleteSetupLinkDocument,
    "\n  mutation UpdateConnection($tenant: String!, $id: ID!, $input: UpdateScimConnectionInput!) {\n    updateScimConnection(tenant: $tenant, id: $id, input: $input) { id name deletePolicy }\n  }\n": typeof types.UpdateConnectionDocument,
    "\n  mutation DisableConnection($tenant: String!, $id: ID!) { disableScimConnection(tenant: $tenant, id: $id) { id status } }\n": typeof types.DisableConnectionDocument,
    "\n  mutation EnableConnection($tenant: String!, $id: ID!) { enableScimConnection(tenant: $tenant, id: $id) { id status } }\n": typeof types.EnableConnectionDocument,
    "\n  mutation DeleteConnection($tenant: String!, $id: ID!) { deleteScimConnection(tenant: $tenant, id: $id) { id status } }\n": typeof types.DeleteConnectionDocument,
};
const documents: Documents = {
    "\n  query Viewer {\n    viewer { keyId role tenant }\n  }\n": types.ViewerDocument,
    "\n  query Tenants {\n    tenants { id slug name createdAt scimUrl stats { usersActive usersInactive groups } activity(hours: 24) { lastRequestAt requests failedRequests errorRate } }\n  }\n": types.TenantsDocument,
    "\n  mutation CreateTenant($input: CreateTenantInput!) {\n    createTenant(input: $input) { id slug name }\n  }\n": types.CreateTenantDocument,
    "\n  query TenantOverview($slug: String!, $holds: HoldState) {\n    tenant(slug: $slug) {\n      id slug name scimUrl\n      stats { usersActive usersInactive usersDeleted groups memberships events { heldEvents openHolds unpublishedEvents } }\n      scimConnections { id name idp activeTokens lastRequestAt lastRequest { status time operation } tokens { id prefix expiresAt status } health { errors userWrites groupWrites missing { attribute users } unknownAttributes { attribute count } unknownManagers unparsablePhones recentErrors { status scimType detail count lastSeen lastRequest } } }\n      eventHolds(state: $holds) { id reason events createdAt }\n    }\n  }\n": types.TenantOverviewDocument,
    "\n  query TenantTraffic($slug: String!, $first: Int!, $from: DateTime) {\n    tenant(slug: $slug) {\n      auditEntries(first: $first, filter: { from: $from }) { nodes { time status connectionId actorKind } }\n    }\n    events(tenant: $slug, first: 1000) { nodes { time type } }\n  }\n": types.TenantTrafficDocument,
    "\n  mutation CreateConnection($tenant: String!, $idp: IdpKind!, $days: Int, $name: String) {\n    createScimConnection(tenant: $tenant, idp: $idp, days: $days, name: $name) {\n      scimUrl token connection { id name idp } tokenInfo { id prefix expiresAt }\n    }\n  }\n": types.CreateConnectionDocument,
    "\n  query Connections($slug: String!) {\n    tenant(slug: $slug) {\n      id slug scimUrl\n      scimConnections {\n        id name idp activeTokens lastRequestAt status deletePolicy disabledAt deletedAt\n        lastRequest { status time operation scimType }\n        health { errors userWrites groupWrites missing { attribute users } unknownAttributes { attribute count } unknownManagers unparsablePhones recentErrors { status scimType detail count lastSeen lastRequest } }\n        tokens { id prefix createdAt expiresAt lastUsedAt revokedAt status }\n      }\n    }\n  }\n": types.ConnectionsDocument,
    "\n  mutation RotateToken($tenant: String!, $id: ID!, $overlapMinutes: Int!, $days: Int) {\n    rotateToken(tenant: $tenant, id: $id, overlapMinutes: $overlapMinutes, days: $days) { token scimUrl info { id prefix expiresAt } }\n  }\n": types.RotateTokenDocument,
    "\n  mutation RevokeToken($tenant: String!, $id: ID!) {\n    revokeToken(tenant: $tenant, id: $id) { id status revokedAt }\n  }\n": types.RevokeTokenDocument,
    "\n  query Users($slug: String!, $filter: String, $after: String, $first: Int, $orderBy: OrderBy) {\n    tenant(slug: $slug) {\n      id\n      users(filter: $filter, after: $after, first: $first, orderBy: $orderBy) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        nodes { id userName displayName externalId active createdAt updatedAt attributes }\n      }\n    }\n  }\n": types.UsersDocument,
    "\n  query DeletedUsers($slug: String!, $after: String) {\n    tenant(slug: $slug) {\n      id\n      deletedUsers(first: 50, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id userName updatedAt } }\n    }\n  }\n": types.DeletedUsersDocument,
    "\n  query UserDetail($slug: String!, $id: ID!) {\n    tenant(slug: $slug) {\n      id\n      user(id: $id) { id userName displayName externalId active createdAt updatedAt version attributes groups { id displayName } events(first: 20) { id sequence type time } }\n      auditEntries(first: 50, filter: { resourceId: $id }) { nodes { id time operation status actorKind scimType } }\n    }\n  }\n": types.UserDetailDocument,
    "\n  mutation PurgeUser($tenant: String!, $id: ID!) { purgeUser(tenant: $tenant, id: $id) }\n": types.PurgeUserDocument,
    "\n  mutation RestoreUser($tenant: String!, $id: ID!) { restoreUser(tenant: $tenant, id: $id) { id userName } }\n": types.RestoreUserDocument,
    "\n  query Groups($slug: String!, $filter: String, $after: String) {\n    tenant(slug: $slug) {\n      id\n      groups(filter: $filter, after: $after, first: 25) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        nodes { id displayName externalId memberCount updatedAt }\n      }\n    }\n  }\n": types.GroupsDocument,
    "\n  query Audit($slug: String!, $filter: AuditFilter, $after: String) {\n    tenant(slug: $slug) {\n      id\n      scimConnections { id name }\n      auditEntries(first: 50, after: $after, filter: $filter) {\n        pageInfo { hasNextPage endCursor }\n        nodes { id time actorKind connectionId adminKeyId idp method path operation filter status scimType latencyMs requestId resourceIds changedAttributes holdId }\n      }\n    }\n  }\n": types.AuditDocument,
    "\n  query EventFeed($slug: String!, $after: String, $types: [String!], $wait: Int) {\n    events(tenant: $slug, after: $after, types: $types, first: 200, wait: $wait) { endCursor hasNextPage nodes { id sequence type subject time data } }\n  }\n": types.EventFeedDocument,
    "\n  query EventHolds($slug: String!) {\n    tenant(slug: $slug) { id eventHolds { id state reason events createdAt resolvedAt resolvedBy connectionId } }\n  }\n": types.EventHoldsDocument,
    "\n  mutation ReleaseHold($tenant: String!, $id: ID!) { releaseHold(tenant: $tenant, id: $id) { id state } }\n": types.ReleaseHoldDocument,
    "\n  mutation DiscardHold($tenant: String!, $id: ID!) { discardHold(tenant: $tenant, id: $id) { id state } }\n": types.DiscardHoldDocument,
    "\n  query Attributes($slug: String!) {\n    tenant(slug: $slug) { id attributeDefinitions { id name resourceType schema type multiValued required description createdAt } }\n  }\n": types.AttributesDocument,
    "\n  mutation DefineAttribute($tenant: String!, $input: DefineAttributeInput!) {\n    defineAttribute(tenant: $tenant, input: $input) { id name }\n  }\n": types.DefineAttributeDocument,
    "\n  mutation RemoveAttribute($tenant: String!, $name: String!, $resourceType: String!, $schema: String) {\n    removeAttribute(tenant: $tenant, name: $name, resourceType: $resourceType, schema: $schema) { resourcesChanged }\n  }\n": types.RemoveAttributeDocument,
    "\n  query AdminKeys {\n    adminKeys { id role tenant prefix createdAt lastUsedAt revokedAt }\n  }\n": types.AdminKeysDocument,
    "\n  mutation CreateAdminKey($role: AdminRole!, $tenant: String) {\n    createAdminKey(role: $role, tenant: $tenant) { key info { id prefix role tenant } }\n  }\n": types.CreateAdminKeyDocument,
    "\n  mutation RevokeAdminKey($id: ID!) { revokeAdminKey(id: $id) { id revokedAt } }\n": types.RevokeAdminKeyDocument,
    "\n  query SetupLinks($slug: String!) {\n    tenant(slug: $slug) { id setupLinks { id idp prefix state createdAt expiresAt openedAt completedAt revokedAt connectionId } }\n  }\n": types.SetupLinksDocument,
    "\n  mutation CreateSetupLink($tenant: String!, $idp: IdpKind!, $days: Int) {\n    createSetupLink(tenant: $tenant, idp: $idp, days: $days) { url secret link { id expiresAt } }\n  }\n": types.CreateSetupLinkDocument,
    "\n  mutation RevokeSetupLink($tenant: String!, $id: ID!) { revokeSetupLink(tenant: $tenant, id: $id) { id state } }\n": types.RevokeSetupLinkDocument,
    "\n  query PublicSetupLink($secret: String!) {\n    setupLink(secret: $secret) { tenantName idp expiresAt scimUrl }\n  }\n": types.PublicSetupLinkDocument,
    "\n  mutation CompleteSetupLink($secret: String!, $days: Int) {\n    completeSetupLink(secret: $secret, days: $days) { scimUrl token connectionId idp tokenInfo { id prefix expiresAt } }\n  }\n": types.CompleteSetupLinkDocument,
    "\n  mutation UpdateConnection($tenant: String!, $id: ID!, $input: UpdateScimConnectionInput!) {\n    updateScimConnection(tenant: $tenant, id: $id, input: $input) { id name deletePolicy }\n  }\n": types.UpdateConnectionDocument,
    "\n  mutation DisableConnection($tenant: String!, $id: ID!) { disableScimConnection(tenant: $tenant, id: $id) { id status } }\n": types.DisableConnectionDocument,
    "\n  mutation EnableConnection($tenant: String!, $id: ID!) { enableScimConnection(tenant: $tenant, id: $id) { id status } }\n": types.EnableConnectionDocument,
    "\n  mutation DeleteConnection($tenant: String!, $id: ID!) { deleteScimConnection(tenant: $tenant, id: $id) { id status } }\n": types.DeleteConnectionDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer { keyId role tenant }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer { keyId role tenant }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Tenants {\n    tenants { id slug name createdAt scimUrl stats { usersActive usersInactive groups } activity(hours: 24) { lastRequestAt requests failedRequests errorRate } }\n  }\n"): (typeof documents)["\n  query Tenants {\n    tenants { id slug name createdAt scimUrl stats { usersActive usersInactive groups } activity(hours: 24) { lastRequestAt requests failedRequests errorRate } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateTenant($input: CreateTenantInput!) {\n    createTenant(input: $input) { id slug name }\n  }\n"): (typeof documents)["\n  mutation CreateTenant($input: CreateTenantInput!) {\n    createTenant(input: $input) { id slug name }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TenantOverview($slug: String!, $holds: HoldState) {\n    tenant(slug: $slug) {\n      id slug name scimUrl\n      stats { usersActive usersInactive usersDeleted groups memberships events { heldEvents openHolds unpublishedEvents } }\n      scimConnections { id name idp activeTokens lastRequestAt lastRequest { status time operation } tokens { id prefix expiresAt status } health { errors userWrites groupWrites missing { attribute users } unknownAttributes { attribute count } unknownManagers unparsablePhones recentErrors { status scimType detail count lastSeen lastRequest } } }\n      eventHolds(state: $holds) { id reason events createdAt }\n    }\n  }\n"): (typeof documents)["\n  query TenantOverview($slug: String!, $holds: HoldState) {\n    tenant(slug: $slug) {\n      id slug name scimUrl\n      stats { usersActive usersInactive usersDeleted groups memberships events { heldEvents openHolds unpublishedEvents } }\n      scimConnections { id name idp activeTokens lastRequestAt lastRequest { status time operation } tokens { id prefix expiresAt status } health { errors userWrites groupWrites missing { attribute users } unknownAttributes { attribute count } unknownManagers unparsablePhones recentErrors { status scimType detail count lastSeen lastRequest } } }\n      eventHolds(state: $holds) { id reason events createdAt }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TenantTraffic($slug: String!, $first: Int!, $from: DateTime) {\n    tenant(slug: $slug) {\n      auditEntries(first: $first, filter: { from: $from }) { nodes { time status connectionId actorKind } }\n    }\n    events(tenant: $slug, first: 1000) { nodes { time type } }\n  }\n"): (typeof documents)["\n  query TenantTraffic($slug: String!, $first: Int!, $from: DateTime) {\n    tenant(slug: $slug) {\n      auditEntries(first: $first, filter: { from: $from }) { nodes { time status connectionId actorKind } }\n    }\n    events(tenant: $slug, first: 1000) { nodes { time type } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateConnection($tenant: String!, $idp: IdpKind!, $days: Int, $name: String) {\n    createScimConnection(tenant: $tenant, idp: $idp, days: $days, name: $name) {\n      scimUrl token connection { id name idp } tokenInfo { id prefix expiresAt }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateConnection($tenant: String!, $idp: IdpKind!, $days: Int, $name: String) {\n    createScimConnection(tenant: $tenant, idp: $idp, days: $days, name: $name) {\n      scimUrl token connection { id name idp } tokenInfo { id prefix expiresAt }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Connections($slug: String!) {\n    tenant(slug: $slug) {\n      id slug scimUrl\n      scimConnections {\n        id name idp activeTokens lastRequestAt status deletePolicy disabledAt deletedAt\n        lastRequest { status time operation scimType }\n        health { errors userWrites groupWrites missing { attribute users } unknownAttributes { attribute count } unknownManagers unparsablePhones recentErrors { status scimType detail count lastSeen lastRequest } }\n        tokens { id prefix createdAt expiresAt lastUsedAt revokedAt status }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Connections($slug: String!) {\n    tenant(slug: $slug) {\n      id slug scimUrl\n      scimConnections {\n        id name idp activeTokens lastRequestAt status deletePolicy disabledAt deletedAt\n        lastRequest { status time operation scimType }\n        health { errors userWrites groupWrites missing { attribute users } unknownAttributes { attribute count } unknownManagers unparsablePhones recentErrors { status scimType detail count lastSeen lastRequest } }\n        tokens { id prefix createdAt expiresAt lastUsedAt revokedAt status }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RotateToken($tenant: String!, $id: ID!, $overlapMinutes: Int!, $days: Int) {\n    rotateToken(tenant: $tenant, id: $id, overlapMinutes: $overlapMinutes, days: $days) { token scimUrl info { id prefix expiresAt } }\n  }\n"): (typeof documents)["\n  mutation RotateToken($tenant: String!, $id: ID!, $overlapMinutes: Int!, $days: Int) {\n    rotateToken(tenant: $tenant, id: $id, overlapMinutes: $overlapMinutes, days: $days) { token scimUrl info { id prefix expiresAt } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeToken($tenant: String!, $id: ID!) {\n    revokeToken(tenant: $tenant, id: $id) { id status revokedAt }\n  }\n"): (typeof documents)["\n  mutation RevokeToken($tenant: String!, $id: ID!) {\n    revokeToken(tenant: $tenant, id: $id) { id status revokedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Users($slug: String!, $filter: String, $after: String, $first: Int, $orderBy: OrderBy) {\n    tenant(slug: $slug) {\n      id\n      users(filter: $filter, after: $after, first: $first, orderBy: $orderBy) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        nodes { id userName displayName externalId active createdAt updatedAt attributes }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Users($slug: String!, $filter: String, $after: String, $first: Int, $orderBy: OrderBy) {\n    tenant(slug: $slug) {\n      id\n      users(filter: $filter, after: $after, first: $first, orderBy: $orderBy) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        nodes { id userName displayName externalId active createdAt updatedAt attributes }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DeletedUsers($slug: String!, $after: String) {\n    tenant(slug: $slug) {\n      id\n      deletedUsers(first: 50, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id userName updatedAt } }\n    }\n  }\n"): (typeof documents)["\n  query DeletedUsers($slug: String!, $after: String) {\n    tenant(slug: $slug) {\n      id\n      deletedUsers(first: 50, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id userName updatedAt } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UserDetail($slug: String!, $id: ID!) {\n    tenant(slug: $slug) {\n      id\n      user(id: $id) { id userName displayName externalId active createdAt updatedAt version attributes groups { id displayName } events(first: 20) { id sequence type time } }\n      auditEntries(first: 50, filter: { resourceId: $id }) { nodes { id time operation status actorKind scimType } }\n    }\n  }\n"): (typeof documents)["\n  query UserDetail($slug: String!, $id: ID!) {\n    tenant(slug: $slug) {\n      id\n      user(id: $id) { id userName displayName externalId active createdAt updatedAt version attributes groups { id displayName } events(first: 20) { id sequence type time } }\n      auditEntries(first: 50, filter: { resourceId: $id }) { nodes { id time operation status actorKind scimType } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PurgeUser($tenant: String!, $id: ID!) { purgeUser(tenant: $tenant, id: $id) }\n"): (typeof documents)["\n  mutation PurgeUser($tenant: String!, $id: ID!) { purgeUser(tenant: $tenant, id: $id) }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RestoreUser($tenant: String!, $id: ID!) { restoreUser(tenant: $tenant, id: $id) { id userName } }\n"): (typeof documents)["\n  mutation RestoreUser($tenant: String!, $id: ID!) { restoreUser(tenant: $tenant, id: $id) { id userName } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Groups($slug: String!, $filter: String, $after: String) {\n    tenant(slug: $slug) {\n      id\n      groups(filter: $filter, after: $after, first: 25) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        nodes { id displayName externalId memberCount updatedAt }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Groups($slug: String!, $filter: String, $after: String) {\n    tenant(slug: $slug) {\n      id\n      groups(filter: $filter, after: $after, first: 25) {\n        totalCount\n        pageInfo { hasNextPage endCursor }\n        nodes { id displayName externalId memberCount updatedAt }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Audit($slug: String!, $filter: AuditFilter, $after: String) {\n    tenant(slug: $slug) {\n      id\n      scimConnections { id name }\n      auditEntries(first: 50, after: $after, filter: $filter) {\n        pageInfo { hasNextPage endCursor }\n        nodes { id time actorKind connectionId adminKeyId idp method path operation filter status scimType latencyMs requestId resourceIds changedAttributes holdId }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Audit($slug: String!, $filter: AuditFilter, $after: String) {\n    tenant(slug: $slug) {\n      id\n      scimConnections { id name }\n      auditEntries(first: 50, after: $after, filter: $filter) {\n        pageInfo { hasNextPage endCursor }\n        nodes { id time actorKind connectionId adminKeyId idp method path operation filter status scimType latencyMs requestId resourceIds changedAttributes holdId }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EventFeed($slug: String!, $after: String, $types: [String!], $wait: Int) {\n    events(tenant: $slug, after: $after, types: $types, first: 200, wait: $wait) { endCursor hasNextPage nodes { id sequence type subject time data } }\n  }\n"): (typeof documents)["\n  query EventFeed($slug: String!, $after: String, $types: [String!], $wait: Int) {\n    events(tenant: $slug, after: $after, types: $types, first: 200, wait: $wait) { endCursor hasNextPage nodes { id sequence type subject time data } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EventHolds($slug: String!) {\n    tenant(slug: $slug) { id eventHolds { id state reason events createdAt resolvedAt resolvedBy connectionId } }\n  }\n"): (typeof documents)["\n  query EventHolds($slug: String!) {\n    tenant(slug: $slug) { id eventHolds { id state reason events createdAt resolvedAt resolvedBy connectionId } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReleaseHold($tenant: String!, $id: ID!) { releaseHold(tenant: $tenant, id: $id) { id state } }\n"): (typeof documents)["\n  mutation ReleaseHold($tenant: String!, $id: ID!) { releaseHold(tenant: $tenant, id: $id) { id state } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DiscardHold($tenant: String!, $id: ID!) { discardHold(tenant: $tenant, id: $id) { id state } }\n"): (typeof documents)["\n  mutation DiscardHold($tenant: String!, $id: ID!) { discardHold(tenant: $tenant, id: $id) { id state } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Attributes($slug: String!) {\n    tenant(slug: $slug) { id attributeDefinitions { id name resourceType schema type multiValued required description createdAt } }\n  }\n"): (typeof documents)["\n  query Attributes($slug: String!) {\n    tenant(slug: $slug) { id attributeDefinitions { id name resourceType schema type multiValued required description createdAt } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DefineAttribute($tenant: String!, $input: DefineAttributeInput!) {\n    defineAttribute(tenant: $tenant, input: $input) { id name }\n  }\n"): (typeof documents)["\n  mutation DefineAttribute($tenant: String!, $input: DefineAttributeInput!) {\n    defineAttribute(tenant: $tenant, input: $input) { id name }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveAttribute($tenant: String!, $name: String!, $resourceType: String!, $schema: String) {\n    removeAttribute(tenant: $tenant, name: $name, resourceType: $resourceType, schema: $schema) { resourcesChanged }\n  }\n"): (typeof documents)["\n  mutation RemoveAttribute($tenant: String!, $name: String!, $resourceType: String!, $schema: String) {\n    removeAttribute(tenant: $tenant, name: $name, resourceType: $resourceType, schema: $schema) { resourcesChanged }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AdminKeys {\n    adminKeys { id role tenant prefix createdAt lastUsedAt revokedAt }\n  }\n"): (typeof documents)["\n  query AdminKeys {\n    adminKeys { id role tenant prefix createdAt lastUsedAt revokedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateAdminKey($role: AdminRole!, $tenant: String) {\n    createAdminKey(role: $role, tenant: $tenant) { key info { id prefix role tenant } }\n  }\n"): (typeof documents)["\n  mutation CreateAdminKey($role: AdminRole!, $tenant: String) {\n    createAdminKey(role: $role, tenant: $tenant) { key info { id prefix role tenant } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeAdminKey($id: ID!) { revokeAdminKey(id: $id) { id revokedAt } }\n"): (typeof documents)["\n  mutation RevokeAdminKey($id: ID!) { revokeAdminKey(id: $id) { id revokedAt } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SetupLinks($slug: String!) {\n    tenant(slug: $slug) { id setupLinks { id idp prefix state createdAt expiresAt openedAt completedAt revokedAt connectionId } }\n  }\n"): (typeof documents)["\n  query SetupLinks($slug: String!) {\n    tenant(slug: $slug) { id setupLinks { id idp prefix state createdAt expiresAt openedAt completedAt revokedAt connectionId } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateSetupLink($tenant: String!, $idp: IdpKind!, $days: Int) {\n    createSetupLink(tenant: $tenant, idp: $idp, days: $days) { url secret link { id expiresAt } }\n  }\n"): (typeof documents)["\n  mutation CreateSetupLink($tenant: String!, $idp: IdpKind!, $days: Int) {\n    createSetupLink(tenant: $tenant, idp: $idp, days: $days) { url secret link { id expiresAt } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeSetupLink($tenant: String!, $id: ID!) { revokeSetupLink(tenant: $tenant, id: $id) { id state } }\n"): (typeof documents)["\n  mutation RevokeSetupLink($tenant: String!, $id: ID!) { revokeSetupLink(tenant: $tenant, id: $id) { id state } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PublicSetupLink($secret: String!) {\n    setupLink(secret: $secret) { tenantName idp expiresAt scimUrl }\n  }\n"): (typeof documents)["\n  query PublicSetupLink($secret: String!) {\n    setupLink(secret: $secret) { tenantName idp expiresAt scimUrl }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CompleteSetupLink($secret: String!, $days: Int) {\n    completeSetupLink(secret: $secret, days: $days) { scimUrl token connectionId idp tokenInfo { id prefix expiresAt } }\n  }\n"): (typeof documents)["\n  mutation CompleteSetupLink($secret: String!, $days: Int) {\n    completeSetupLink(secret: $secret, days: $days) { scimUrl token connectionId idp tokenInfo { id prefix expiresAt } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateConnection($tenant: String!, $id: ID!, $input: UpdateScimConnectionInput!) {\n    updateScimConnection(tenant: $tenant, id: $id, input: $input) { id name deletePolicy }\n  }\n"): (typeof documents)["\n  mutation UpdateConnection($tenant: String!, $id: ID!, $input: UpdateScimConnectionInput!) {\n    updateScimConnection(tenant: $tenant, id: $id, input: $input) { id name deletePolicy }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DisableConnection($tenant: String!, $id: ID!) { disableScimConnection(tenant: $tenant, id: $id) { id status } }\n"): (typeof documents)["\n  mutation DisableConnection($tenant: String!, $id: ID!) { disableScimConnection(tenant: $tenant, id: $id) { id status } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EnableConnection($tenant: String!, $id: ID!) { enableScimConnection(tenant: $tenant, id: $id) { id status } }\n"): (typeof documents)["\n  mutation EnableConnection($tenant: String!, $id: ID!) { enableScimConnection(tenant: $tenant, id: $id) { id status } }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteConnection($tenant: String!, $id: ID!) { deleteScimConnection(tenant: $tenant, id: $id) { id status } }\n"): (typeof documents)["\n  mutation DeleteConnection($tenant: String!, $id: ID!) { deleteScimConnection(tenant: $tenant, id: $id) { id status } }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;