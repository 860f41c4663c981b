/**
 * Fake DriveApp: folders and the files the other services make (spreadsheets, forms made with
 * FormApp.create, documents made with Docs.Documents.create), with Drive's iterators.
 */
import { type Accepts, type DriveItem, Fake, type World } from './core';

type GDriveApp = GoogleAppsScript.Drive.DriveApp;
type GFile = GoogleAppsScript.Drive.File;
type GFolder = GoogleAppsScript.Drive.Folder;

const NOT_FOUND =
  'No item with the given ID could be found. Possibly because you have not edited this item or you do not have permission to access it.';

export function fileUrl(item: DriveItem): string {
  switch (item.kind) {
    case 'spreadsheet':
      return `https://docs.google.com/spreadsheets/d/${item.id}/edit?usp=drivesdk`;
    case 'document':
      return `https://docs.google.com/document/d/${item.id}/edit?usp=drivesdk`;
    case 'form':
      return `https://docs.google.com/forms/d/${item.id}/edit?usp=drivesdk`;
    default:
      return `https://drive.google.com/drive/folders/${item.id}`;
  }
}

export class FakeDriveApp
  extends Fake
  implements
    Accepts<
      GDriveApp,
      'createFolder' | 'getFolderById' | 'getFoldersByName' | 'getFileById' | 'getFilesByName'
    >
{
  static override readonly gas = 'DriveApp';
  static override readonly group = 'drive';

  createFolder(name: string): FakeFolder {
    if (typeof name !== 'string') throw this.w.signatureError('DriveApp.createFolder', [name]);
    const id = this.w.newId();
    const item: DriveItem = {
      id,
      kind: 'folder',
      name,
      parents: [this.w.rootFolderId],
      created: this.w.now(),
    };
    this.w.files.set(id, item);
    return new FakeFolder(this.w, item);
  }

  getFolderById(id: string): FakeFolder {
    const item = this.w.files.get(String(id));
    if (item?.kind !== 'folder') throw this.w.error(NOT_FOUND);
    return new FakeFolder(this.w, item);
  }

  getFoldersByName(name: string): FakeFolderIterator {
    const items = [...this.w.files.values()].filter((f) => f.kind === 'folder' && f.name === name);
    return new FakeFolderIterator(this.w, items);
  }

  getFileById(id: string): FakeFile {
    const item = this.w.files.get(String(id));
    if (!item || item.kind === 'folder') throw this.w.error(NOT_FOUND);
    return new FakeFile(this.w, item);
  }

  getFilesByName(name: string): FakeFileIterator {
    const items = [...this.w.files.values()].filter((f) => f.kind !== 'folder' && f.name === name);
    return new FakeFileIterator(this.w, items);
  }
}

export class FakeFolder
  extends Fake
  implements Pick<GFolder, 'getId' | 'getName'>, Accepts<GFolder, 'getFilesByName' | 'getFiles'>
{
  static override readonly gas = 'Folder';
  static override readonly group = 'drive';

  constructor(
    w: World,
    readonly item: DriveItem,
  ) {
    super(w);
  }

  getId(): string {
    return this.item.id;
  }

  getName(): string {
    return this.item.name;
  }

  getFiles(): FakeFileIterator {
    const items = [...this.w.files.values()].filter(
      (f) => f.kind !== 'folder' && f.parents.includes(this.item.id),
    );
    return new FakeFileIterator(this.w, items);
  }

  getFilesByName(name: string): FakeFileIterator {
    const items = [...this.w.files.values()].filter(
      (f) => f.kind !== 'folder' && f.parents.includes(this.item.id) && f.name === name,
    );
    return new FakeFileIterator(this.w, items);
  }
}

export class FakeFile
  extends Fake
  implements Pick<GFile, 'getId' | 'getName' | 'getUrl'>, Accepts<GFile, 'setName' | 'moveTo' | 'getParents'>
{
  static override readonly gas = 'File';
  static override readonly group = 'drive';

  constructor(
    w: World,
    readonly item: DriveItem,
  ) {
    super(w);
  }

  getId(): string {
    return this.item.id;
  }

  getName(): string {
    return this.item.name;
  }

  /** Renames the file; a document's title is its name. */
  setName(name: string): this {
    this.item.name = String(name);
    if (this.item.kind === 'document') this.w.docs.rename(this.item.id, this.item.name);
    return this;
  }

  getUrl(): string {
    return fileUrl(this.item);
  }

  moveTo(destination: unknown): this {
    if (!(destination instanceof FakeFolder))
      throw this.w.signatureError('DriveApp.File.moveTo', [destination]);
    this.item.parents = [destination.item.id];
    return this;
  }

  getParents(): FakeFolderIterator {
    const parents = this.item.parents
      .map((id) => this.w.files.get(id))
      .filter((f): f is DriveItem => f !== undefined);
    return new FakeFolderIterator(this.w, parents);
  }
}

const END = 'Cannot retrieve the next object: iterator has reached the end.';

export class FakeFileIterator
  extends Fake
  implements
    Pick<GoogleAppsScript.Drive.FileIterator, 'hasNext'>,
    Accepts<GoogleAppsScript.Drive.FileIterator, 'next'>
{
  static override readonly gas = 'FileIterator';
  static override readonly group = 'drive';
  private index = 0;

  constructor(
    w: World,
    private readonly items: DriveItem[],
  ) {
    super(w);
  }

  hasNext(): boolean {
    return this.index < this.items.length;
  }

  next(): FakeFile {
    const item = this.items[this.index];
    if (!item) throw this.w.error(END);
    this.index++;
    return new FakeFile(this.w, item);
  }
}

export class FakeFolderIterator
  extends Fake
  implements
    Pick<GoogleAppsScript.Drive.FolderIterator, 'hasNext'>,
    Accepts<GoogleAppsScript.Drive.FolderIterator, 'next'>
{
  static override readonly gas = 'FolderIterator';
  static override readonly group = 'drive';
  private index = 0;

  constructor(
    w: World,
    private readonly items: DriveItem[],
  ) {
    super(w);
  }

  hasNext(): boolean {
    return this.index < this.items.length;
  }

  next(): FakeFolder {
    const item = this.items[this.index];
    if (!item) throw this.w.error(END);
    this.index++;
    return new FakeFolder(this.w, item);
  }
}
