import { createContext, useContext } from 'react';

export interface Viewer {
  keyId: string;
  role: 'ADMIN' | 'AUDITOR';
  tenant?: string | null;
  /** admin role: mutation buttons are shown; auditor: none */
  canWrite: boolean;
}

export const ViewerContext = createContext<Viewer>({ keyId: '', role: 'AUDITOR', tenant: null, canWrite: false });
export const useViewer = () => useContext(ViewerContext);
